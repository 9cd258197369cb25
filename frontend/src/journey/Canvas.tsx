import "@xyflow/react/dist/style.css";
import "./canvas.css";
import { Button } from "@mantine/core";
import { useElementSize, useHotkeys } from "@mantine/hooks";
import { IconMap } from "@tabler/icons-react";
import { Background, Controls, MiniMap, Panel, ReactFlow, useReactFlow, type Edge, type FitViewOptions, type OnDelete } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState, type DragEvent } from "react";
import { useTranslation } from "react-i18next";
import { isStepType } from "./catalog";
import { JourneyNode } from "./JourneyNode";
import type { JourneyGraph } from "./useJourneyGraph";

export const DRAG_TYPE = "application/x-parcours-step";
const NODE_TYPES = { step: JourneyNode };
const EXIT_WORDS = new Set(["yes", "no", "happened", "timeout"]);

// The map opens by itself only where it leaves the steps enough room beside it.
const MAP_ROOM = 900;
// Fitting the view keeps the steps clear of the controls (left), the map and its toggle (right).
const CLEAR = { top: "32px", left: "64px", bottom: "56px" } as const;
const FIT_CLEAR: FitViewOptions = { maxZoom: 1, padding: { ...CLEAR, right: "40px" } };
const FIT_CLEAR_OF_MAP: FitViewOptions = { maxZoom: 1, padding: { ...CLEAR, right: "248px" } };

type Props = {
  journey: JourneyGraph;
  readOnly: boolean;
  path: Set<string>;
  /** Each new value shows the whole journey again (after a tidy-up moved its steps). */
  fitRequest: number;
};

/** The canvas: steps dropped from the palette, connected by dragging from an exit to a step. */
export function Canvas({ journey, readOnly, path, fitRequest }: Props) {
  const { t } = useTranslation();
  // What screen readers say about the canvas, in the user's language.
  const ariaLabels = useMemo(() => ({
    "node.a11yDescription.default": t("journeys.keyboard.node"),
    "node.a11yDescription.keyboardDisabled": t("journeys.keyboard.node"),
    "edge.a11yDescription.default": t("journeys.keyboard.edge"),
    "controls.ariaLabel": t("journeys.keyboard.controls"),
    "controls.zoomIn.ariaLabel": t("journeys.keyboard.zoom_in"),
    "controls.zoomOut.ariaLabel": t("journeys.keyboard.zoom_out"),
    "controls.fitView.ariaLabel": t("journeys.keyboard.fit_view"),
    "minimap.ariaLabel": t("journeys.keyboard.minimap"),
    "handle.ariaLabel": t("journeys.keyboard.handle"),
  }), [t]);
  const flow = useReactFlow();
  const { ref, width } = useElementSize();
  const [mapChosen, setMapChosen] = useState<boolean | null>(null);
  const mapOpen = mapChosen ?? width >= MAP_ROOM;
  const fitOptions = mapOpen ? FIT_CLEAR_OF_MAP : FIT_CLEAR;

  // The whole journey again when it is asked for, and when the map opens or closes beside it (not
  // on every resize: the marketer's own zoom stays).
  useEffect(() => {
    if (width) void flow.fitView({ ...fitOptions, duration: 200 });
  }, [fitRequest, fitOptions, flow]); // not on width: a resize keeps the zoom
  const { addNode, remove, undo, redo, copy, paste } = journey;

  const edges = useMemo(() => journey.baseEdges.map((edge): Edge => {
    const label = edge.sourceHandle ?? undefined;
    const taken = path.has(edge.id);
    return {
      ...edge,
      label: label && EXIT_WORDS.has(label) ? t(`journeys.exits.${label}`) : label,
      animated: taken,
      style: taken ? { stroke: "var(--mantine-color-teal-6)", strokeWidth: 3 } : undefined,
    };
  }), [journey.baseEdges, path, t]);

  const onDrop = useCallback((event: DragEvent) => {
    const type = event.dataTransfer.getData(DRAG_TYPE);
    if (!isStepType(type) || readOnly) return;
    event.preventDefault();
    // Centre the step under the pointer.
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addNode(type, { x: at.x - 120, y: at.y - 30 });
  }, [flow, addNode, readOnly]);

  const onDelete: OnDelete = useCallback(({ nodes, edges: cut }) => remove(nodes.map((n) => n.id), cut.map((e) => e.id)), [remove]);

  useHotkeys(readOnly ? [] : [
    ["mod+Z", undo],
    ["mod+shift+Z", redo],
    ["mod+C", copy],
    ["mod+V", paste],
  ]);

  return (
    <ReactFlow
      ref={ref}
      nodes={journey.nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={journey.onNodesChange}
      onEdgesChange={journey.onEdgesChange}
      onConnect={journey.onConnect}
      onDelete={onDelete}
      onDrop={onDrop}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      }}
      deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
      nodesConnectable={!readOnly}
      onlyRenderVisibleElements={journey.nodes.length > 150}
      minZoom={0.1}
      fitView
      fitViewOptions={fitOptions}
      ariaLabelConfig={ariaLabels}
      data-testid="journey-canvas"
    >
      <Background gap={20} />
      <Controls showInteractive={false} fitViewOptions={fitOptions} />
      {mapOpen && <MiniMap pannable zoomable ariaLabel={t("journeys.map")} className="journey-map" data-testid="journey-map" />}
      <Panel position="bottom-right">
        <Button size="compact-sm" variant="default" leftSection={<IconMap size={14} />} aria-expanded={mapOpen}
          onClick={() => setMapChosen(!mapOpen)} data-testid="journey-map-toggle">
          {mapOpen ? t("journeys.map_hide") : t("journeys.map_show")}
        </Button>
      </Panel>
    </ReactFlow>
  );
}
