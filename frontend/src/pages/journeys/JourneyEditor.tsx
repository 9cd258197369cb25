import { Anchor, Box, Button, Group, Paper, Stack, Tabs, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconNotes } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { useEmails } from "../../api/queries/emails";
import { useFormChoices } from "../../api/queries/forms";
import {
  keys, publishJourney, updateJourney, useJourney, useJourneyEvents, useJourneyStats, validateJourney, type JourneyPatch,
} from "../../api/queries/journeys";
import { useSegments } from "../../api/queries/segments";
import { useAuth } from "../../auth/AuthProvider";
import { Canvas } from "../../journey/Canvas";
import { DecorationsContext, Decorations, type Decoration } from "../../journey/decorations";
import { fromDefinition, pathEdges, toDefinition } from "../../journey/definition";
import { LookupsContext } from "../../journey/lookups";
import { useRuleSentences } from "../../components/conditions/useRuleSentences";
import { NodePanel } from "../../journey/NodePanel";
import { Palette } from "../../journey/Palette";
import { ProblemsList } from "../../journey/ProblemsList";
import { SettingsDrawer } from "../../journey/SettingsDrawer";
import { StatsPanel } from "../../journey/StatsPanel";
import { TestDrawer, type TestResult } from "../../journey/TestDrawer";
import { useJourneyGraph } from "../../journey/useJourneyGraph";
import { BriefDrawer } from "../programs/BriefDrawer";
import { ProgramLink } from "../programs/ProgramLink";
import { JourneyLifecycle, JourneyTools } from "./JourneyToolbar";
import { StatusBadge } from "./StatusBadge";
import { useAutosave } from "../../components/useAutosave";
import { useLeaveGuard } from "../../components/useLeaveGuard";

type Journey = Schemas["JourneyOut"];
type Problem = Schemas["Problem"];
const NO_PROBLEMS: Problem[] = [];

/** The journey canvas: palette, steps, side panel, and everything around publishing it. */
export function JourneyEditor({ initial }: { initial: Journey }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const flow = useReactFlow();
  const journeyId = initial.id;
  const current = useJourney(journeyId).data ?? initial;
  const readOnly = !canWrite || ["stopped", "finished"].includes(current.status);
  const [start] = useState(() => fromDefinition(initial.definition));
  const journey = useJourneyGraph(start, readOnly);
  const [name, setName] = useState(initial.name);
  const [settings, setSettings] = useState(initial.settings);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [tab, setTab] = useState<string | null>("canvas");
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [testOpen, setTestOpen] = useState(false);
  const [briefOpen, setBriefOpen] = useState(false);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [decorations] = useState(() => new Decorations());
  const [fitRequest, setFitRequest] = useState(0);
  const showingProblems = useRef(false);
  showingProblems.current = problems !== null;

  const setJourney = useCallback((j: Journey) => queries.setQueryData(keys.journey(journeyId), j), [queries, journeyId]);
  const validate = useCallback(async () => {
    const out = await validateJourney(journeyId);
    setProblems(out.problems);
  }, [journeyId]);
  const autosave = useAutosave((body: JourneyPatch) => updateJourney(journeyId, body), (saved) => {
    setJourney(saved);
    // Problems on screen follow the draft as it is fixed.
    if (showingProblems.current) void validate();
  });
  const { change, flush } = autosave;
  // The draft is saved as the marketer leaves; asking first lets them stay if that save fails.
  useLeaveGuard(autosave.state !== "saved", {
    title: t("journeys.leave_title"), warning: t("journeys.leave_warning"), leave: t("journeys.leave"), stay: t("journeys.stay"),
  });

  useEffect(() => {
    if (journey.graph !== start) change({ definition: toDefinition(journey.graph) });
  }, [journey.graph, start, change]);

  const emails = useEmails();
  const segments = useSegments();
  const events = useJourneyEvents();
  const forms = useFormChoices();
  const names = useMemo(() => {
    const emailNames = new Map((emails.data ?? []).map((e) => [e.id, e.name]));
    const emailSteps = new Map(journey.graph.nodes.filter((n) => n.type === "action.email").map((n) => {
      const id = (n.config as { email_id?: number | null }).email_id;
      return [n.id, (id != null && emailNames.get(id)) || n.id] as const;
    }));
    return {
      emails: emailNames,
      segments: new Map((segments.data ?? []).map((s) => [s.id, s.name])),
      events: new Map((events.data ?? []).map((e) => [e.id, e.name])),
      forms: new Map((forms.data ?? []).map((f) => [f.id, f.name])),
      steps: emailSteps,
    };
  }, [emails.data, segments.data, events.data, forms.data, journey.graph.nodes]);
  const rules = journey.graph.nodes.map((n) => (n.type === "flow.condition" || n.type === "flow.goal" ? String((n.config as { rule?: string | null }).rule ?? "") : ""));
  const sentences = useRuleSentences(rules, "journey", names);
  const lookups = useMemo(() => ({ ...names, emailSteps: names.steps, sentences }), [names, sentences]);
  const live = current.version > 0;
  const stats = useJourneyStats(journeyId, { enabled: live, running: current.status === "published" });

  useEffect(() => {
    const next: Record<string, Decoration> = {};
    const add = (id: string, d: Decoration) => (next[id] = { ...next[id], ...d });
    if (live)
      for (const node of journey.graph.nodes) {
        const s = stats.data?.nodes[node.id];
        add(node.id, { counts: { entered: s?.entered ?? 0, waiting: s?.waiting ?? 0, completed: s?.completed ?? 0, exited: s?.exited ?? 0 } });
      }
    for (const p of problems ?? []) if (p.node_id) add(p.node_id, { problem: true });
    for (const step of testResult?.path ?? []) add(step.node_id, { onPath: true });
    decorations.update(next);
  }, [live, journey.graph.nodes, stats.data, problems, testResult, decorations]);
  const path = useMemo(() => pathEdges((testResult?.path ?? []).map((s) => s.node_id), journey.graph.edges), [testResult, journey.graph.edges]);

  function pick(nodeId: string) {
    setTab("canvas");
    journey.setSelected([nodeId]);
    void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1 });
  }

  async function publish() {
    setPublishing(true);
    try {
      await flush();
      const out = await publishJourney(journeyId);
      setJourney(out.journey);
      setProblems(null);
      void queries.invalidateQueries({ queryKey: keys.stats(journeyId) });
      notifications.show({ color: "green", message: t("journeys.published", { count: out.enrolled }) });
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.details.problems)) {
        setProblems(error.details.problems as Problem[]);
        setTab("canvas"); // where the problems and their steps are shown
      }
      else notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setPublishing(false);
    }
  }

  const { addNode, remove } = journey;
  const removeNode = useCallback((id: string) => remove([id], []), [remove]);
  const selectedNode = journey.selected.length === 1 ? (journey.graph.nodes.find((n) => n.id === journey.selected[0]) ?? null) : null;

  return (
    <Stack h="calc(100dvh - 88px)" gap="xs">
      <Group justify="space-between" wrap="wrap" align="center" gap="xs" data-testid="journey-header">
        <Group gap="sm" wrap="nowrap" style={{ flex: "1 1 240px", minWidth: 0 }}>
          <Anchor component={Link} to="/journeys" aria-label={t("journeys.back")} data-testid="journey-back"><IconArrowLeft size={18} /></Anchor>
          <TextInput value={name} variant="unstyled" size="lg" styles={{ input: { fontWeight: 700 } }} readOnly={readOnly} aria-label={t("journeys.name")}
            data-testid="journey-name" style={{ flex: 1, minWidth: 120 }}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setName(value);
              if (value.trim()) change({ name: value.trim() });
            }} />
          <Box style={{ flexShrink: 0 }}><StatusBadge status={current.status} testId="journey-status" /></Box>
          {live && <Text size="sm" c="dimmed" style={{ flexShrink: 0 }} data-testid="journey-version">{t("journeys.version_n", { version: current.version })}</Text>}
        </Group>
        <JourneyLifecycle journey={current} saveState={autosave.state} readOnly={readOnly} publishing={publishing}
          onPrepare={flush} onPublish={() => void publish()} onChanged={setJourney} />
      </Group>
      <Group justify="space-between" wrap="nowrap" align="flex-end" gap="xs">
        <Tabs id="journey-view" value={tab} onChange={setTab}>
          <Tabs.List style={{ flexWrap: "nowrap" }}>
            <Tabs.Tab value="canvas" data-testid="journey-tab-canvas">{t("journeys.tabs.canvas")}</Tabs.Tab>
            <Tabs.Tab value="stats" disabled={!live} data-testid="journey-tab-stats">{t("journeys.tabs.stats")}</Tabs.Tab>
          </Tabs.List>
        </Tabs>
        <Box ml="auto"><ProgramLink kind="journey" id={journeyId} /></Box>
        <Button variant="default" size="xs" leftSection={<IconNotes size={14} />} onClick={() => setBriefOpen(true)} data-testid="journey-brief">
          {t("plan.brief.open")}
        </Button>
        <JourneyTools readOnly={readOnly} canUndo={journey.canUndo} canRedo={journey.canRedo} onUndo={journey.undo} onRedo={journey.redo}
          onLayout={() => {
            journey.layout();
            setFitRequest((n) => n + 1);
          }} onSettings={() => setSettingsOpen(true)} onTest={() => setTestOpen(true)} onValidate={() => void flush().then(validate)} />
      </Group>
      <LookupsContext.Provider value={lookups}>
        <DecorationsContext.Provider value={decorations}>
          <Group gap={0} wrap="nowrap" align="stretch" style={{ flex: 1, minHeight: 0, display: tab === "canvas" ? "flex" : "none" }}
            role="tabpanel" id="journey-view-panel-canvas" aria-labelledby="journey-view-tab-canvas">
            <Paper withBorder w={210} style={{ flexShrink: 0 }}>
              <Palette onAdd={addNode} disabled={readOnly} />
            </Paper>
            <Box style={{ flex: 1, minWidth: 0 }}>
              <Canvas journey={journey} readOnly={readOnly} path={path} fitRequest={fitRequest} />
            </Box>
            {/* Messages stand beside the canvas, above the step they lead to, never pushing it down. */}
            <Paper withBorder w={340} style={{ flexShrink: 0, overflowY: "auto" }} data-testid="journey-side">
              {autosave.error && <Text size="sm" c="red" p="sm" data-testid="journey-save-error">{autosave.error.message}</Text>}
              {problems && <ProblemsList problems={problems} onPick={pick} onClose={() => setProblems(null)} />}
              <NodePanel node={selectedNode} selectedCount={journey.selected.length} problems={problems ?? NO_PROBLEMS} readOnly={readOnly}
                onChange={journey.updateConfig} onRemove={removeNode} />
            </Paper>
          </Group>
        </DecorationsContext.Provider>
        {tab === "stats" && (
          <Box style={{ flex: 1, overflowY: "auto" }} role="tabpanel" id="journey-view-panel-stats" aria-labelledby="journey-view-tab-stats">
            <StatsPanel stats={stats.data} graph={journey.graph} lookups={lookups} />
          </Box>
        )}
      </LookupsContext.Provider>
      <SettingsDrawer opened={settingsOpen} onClose={() => setSettingsOpen(false)} value={settings} problems={problems ?? []} disabled={readOnly}
        onChange={(next) => {
          setSettings(next);
          change({ settings: next });
        }} />
      <BriefDrawer journeyId={journeyId} opened={briefOpen} onClose={() => setBriefOpen(false)} />
      <TestDrawer opened={testOpen} onClose={() => setTestOpen(false)} journeyId={journeyId} graph={journey.graph} beforeRun={flush}
        result={testResult} onResult={setTestResult} />
    </Stack>
  );
}
