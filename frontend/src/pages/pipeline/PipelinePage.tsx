import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { Alert, Button, CloseButton, Group, ScrollArea, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { STAGES } from "../../components/vocabulary";
import { keys as contactKeys } from "../../api/queries/contacts";
import { keys, moveToStage, usePipeline, type LeadOrigin, type Pipeline } from "../../api/queries/pipeline";
import { LeadCardBody, leadName, type Lead } from "./LeadCard";
import { PipelineColumn } from "./PipelineColumn";

type Page = Schemas["ContactPage"];

/** Move a lead between two columns in the cache, counts included; returns how to put everything back. */
function moveInCache(queries: QueryClient, origin: LeadOrigin | null, lead: Lead, from: string, to: string): () => void {
  const fromKey = keys.column(from, origin);
  const toKey = keys.column(to, origin);
  const countsKey = keys.counts(origin);
  const before = [fromKey, toKey, countsKey].map((key) => [key, queries.getQueryData(key)] as const);
  queries.setQueryData<Page>(fromKey, (page) => page && { ...page, items: page.items.filter((c) => c.id !== lead.id), total: page.total - 1 });
  queries.setQueryData<Page>(toKey, (page) => page && { ...page, items: [{ ...lead, lifecycle_stage: to }, ...page.items], total: page.total + 1 });
  queries.setQueryData<Pipeline>(countsKey, (counts) => {
    if (!counts) return counts;
    const shift = (row: Pipeline["stages"][number], delta: number) => ({
      ...row,
      count: row.count + delta,
      ...(lead.lead_origin === "inbound" ? { inbound: row.inbound + delta } : {}),
      ...(lead.lead_origin === "outbound" ? { outbound: row.outbound + delta } : {}),
      ...(lead.lead_origin === "sales" ? { sales: (row.sales ?? 0) + delta } : {}),
    });
    return { ...counts, stages: counts.stages.map((row) => (row.stage === from ? shift(row, -1) : row.stage === to ? shift(row, 1) : row)) };
  });
  return () => before.forEach(([key, data]) => queries.setQueryData(key, data));
}

export function PipelinePage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [origin, setOrigin] = useState<LeadOrigin | null>(null);
  const [dragged, setDragged] = useState<Lead | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const counts = usePipeline(origin);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const stages = counts.data?.stages.map((row) => row.stage) ?? [...STAGES];
  const countOf = (stage: string) => counts.data?.stages.find((row) => row.stage === stage)?.count;

  async function move(lead: Lead, from: string, to: string, undoable = true) {
    setRefusal(null);
    await queries.cancelQueries({ queryKey: keys.all });
    const restore = moveInCache(queries, origin, lead, from, to);
    try {
      await moveToStage(lead.id, to);
      const id = notifications.show({
        color: "green",
        message: (
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">{t("pipeline.moved", { name: leadName(lead), stage: t(`stages.${to}`) })}</Text>
            {undoable && (
              <Button size="compact-xs" variant="light" data-testid="pipeline-undo"
                onClick={() => { notifications.hide(id); void move({ ...lead, lifecycle_stage: to }, to, from, false); }}>
                {t("common.undo")}
              </Button>
            )}
          </Group>
        ),
      });
    } catch (error) {
      restore();
      const message = (error as Error).message;
      setRefusal(t("pipeline.refused", { name: leadName(lead), message }));
    } finally {
      void queries.invalidateQueries({ queryKey: keys.all });
      void queries.invalidateQueries({ queryKey: contactKeys.contact(lead.id) });
      void queries.invalidateQueries({ queryKey: contactKeys.all });
    }
  }

  function onDragStart(event: DragStartEvent) {
    setDragged((event.active.data.current?.lead as Lead | undefined) ?? null);
  }

  function onDragEnd(event: DragEndEvent) {
    setDragged(null);
    const from = event.active.data.current?.stage as string | undefined;
    const lead = event.active.data.current?.lead as Lead | undefined;
    const to = event.over?.id as string | undefined;
    if (!lead || !from || !to || from === to) return;
    void move(lead, from, to);
  }

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>{t("pipeline.title")}</Title>
          <Text c="dimmed" size="sm">{canWrite ? t("pipeline.intro") : t("pipeline.intro_read_only")}</Text>
        </div>
        <Group gap="md" align="center">
          <Text size="sm" c="dimmed" data-testid="pipeline-total">
            {counts.data ? t("pipeline.total", { count: counts.data.total, formatted: formatNumber(counts.data.total) }) : ""}
          </Text>
          <SegmentedControl
            value={origin ?? "all"}
            onChange={(v) => setOrigin(v === "all" ? null : (v as LeadOrigin))}
            data={[
              { value: "all", label: t("pipeline.origins.all") },
              { value: "inbound", label: t("pipeline.origins.inbound") },
              { value: "outbound", label: t("pipeline.origins.outbound") },
              { value: "sales", label: t("pipeline.origins.sales") },
            ]}
            data-testid="pipeline-origin"
          />
        </Group>
      </Group>
      <ErrorAlert error={counts.error} testId="pipeline-load-error" />
      {refusal && (
        <Alert color="red" data-testid="pipeline-error"
          title={t("pipeline.refused_title")}
          withCloseButton={false}>
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">{refusal}</Text>
            <CloseButton onClick={() => setRefusal(null)} aria-label={t("common.cancel")} data-testid="pipeline-error-close" />
          </Group>
        </Alert>
      )}
      <DndContext sensors={canWrite ? sensors : []} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragged(null)}>
        <ScrollArea type="auto" offsetScrollbars data-testid="pipeline-board">
          <Group align="flex-start" wrap="nowrap" gap="sm" pb="sm">
            {stages.map((stage) => (
              <PipelineColumn key={stage} stage={stage} origin={origin} count={countOf(stage)} />
            ))}
          </Group>
        </ScrollArea>
        <DragOverlay dropAnimation={null}>{dragged && <LeadCardBody lead={dragged} dragging />}</DragOverlay>
      </DndContext>
    </Stack>
  );
}
