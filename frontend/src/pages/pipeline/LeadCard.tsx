import { useDraggable } from "@dnd-kit/core";
import { ActionIcon, Anchor, Badge, Group, Paper, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { IconGripVertical } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Contact } from "../../api/client";
import { gradeColor } from "../scoring/model";

// A lead is a contact as the contacts list sends it: `scores` holds score_<key> and grade_<key> of each model.
export type Lead = Contact;

/** The contact's best score across models, with its grade. */
export function topScore(lead: Lead): { score: number; grade: string | null } | null {
  let best: { score: number; grade: string | null } | null = null;
  for (const [name, value] of Object.entries(lead.scores ?? {})) {
    if (!name.startsWith("score_") || typeof value !== "number") continue;
    const grade = lead.scores?.[`grade_${name.slice("score_".length)}`];
    if (!best || value > best.score) best = { score: value, grade: typeof grade === "string" ? grade : null };
  }
  return best;
}

export function leadName(lead: Lead): string {
  return [lead.first_name, lead.last_name].filter(Boolean).join(" ") || lead.email;
}

/** What a card shows; also drawn under the pointer while it is dragged. The handle is the card's
 * one keyboard stop for moving it (Space or Enter, the arrows, Space again): the contact's link
 * stays a link, never inside another control. */
export function LeadCardBody({ lead, dragging, handle }: { lead: Lead; dragging?: boolean; handle?: ReactNode }) {
  const { t } = useTranslation();
  const top = topScore(lead);
  return (
    <Paper withBorder p="xs" shadow={dragging ? "md" : undefined} style={{ cursor: "grab", opacity: dragging ? 0.9 : 1 }}>
      <Group justify="space-between" wrap="nowrap" gap={4} align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Anchor component={Link} to={`/contacts/${lead.id}`} size="sm" fw={600} lh="24px" lineClamp={1} data-testid="lead-card-link"
            onPointerDown={(e) => e.stopPropagation()}>
            {leadName(lead)}
          </Anchor>
          <Text size="xs" c="dimmed" truncate="end">{lead.email}</Text>
          {lead.account_name && <Text size="xs" truncate="end" data-testid="lead-card-company">{lead.account_name}</Text>}
        </div>
        {handle ?? <IconGripVertical size={14} color="var(--mantine-color-dimmed)" style={{ flexShrink: 0 }} />}
      </Group>
      <Group gap={4} mt={4}>
        {top && (
          <Badge size="xs" variant="light" color={gradeColor(top.grade)} data-testid="lead-card-score">
            {top.grade ? `${top.grade} · ` : ""}
            {top.score} {t("scoring.pts")}
          </Badge>
        )}
        {lead.lead_origin && (
          <Badge size="xs" variant="outline" color={lead.lead_origin === "inbound" ? "blue" : lead.lead_origin === "sales" ? "grape" : "orange"} data-testid="lead-card-origin">
            {t(`pipeline.origins.${lead.lead_origin}`)}
          </Badge>
        )}
      </Group>
    </Paper>
  );
}

export function LeadCard({ lead, stage }: { lead: Lead; stage: string }) {
  const { t } = useTranslation();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({ id: lead.id, data: { lead, stage } });
  // The whole card follows the pointer; the keyboard picks it up by its handle only.
  const handle = (
    <ActionIcon ref={setActivatorNodeRef} {...attributes} variant="subtle" color="gray" size="sm" style={{ flexShrink: 0, cursor: "grab" }}
      aria-label={t("pipeline.move", { name: leadName(lead) })} data-testid={`lead-card-move-${lead.id}`}>
      <IconGripVertical size={14} />
    </ActionIcon>
  );
  return (
    <div ref={setNodeRef} {...listeners} style={{ opacity: isDragging ? 0.3 : 1, touchAction: "none" }}
      data-testid={`lead-card-${lead.id}`} data-stage={stage}>
      <LeadCardBody lead={lead} handle={handle} />
    </div>
  );
}
