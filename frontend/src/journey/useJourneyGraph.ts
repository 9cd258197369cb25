// The canvas's state: the graph with undo/redo, what is selected, and the steps' measured sizes.
// React Flow's nodes are derived from the graph and reused while unchanged, so one change
// redraws one step, not three hundred.
import type { Connection, Edge, EdgeChange, NodeChange, XYPosition } from "@xyflow/react";
import { useCallback, useMemo, useRef, useState } from "react";
import { useHistory } from "../components/useHistory";
import { startingConfig } from "./catalog";
import { connect, edgeId, freeExit, newNodeId, stepOf, type Config, type Graph, type JourneyNode, type StepType } from "./definition";
import type { StepNode } from "./JourneyNode";
import { autoLayout } from "./layout";

type Size = { width: number; height: number };
const GAP = 150;

/** Edges of a split follow its branches when they are renamed or removed. */
function followBranches(graph: Graph, node: JourneyNode, config: Config): Graph["edges"] {
  const branches = (c: Config) => {
    const step = stepOf(node.type, c);
    return step.type === "flow.split" ? (step.config.branches ?? []) : [];
  };
  const before = branches(node.config);
  const after = branches(config);
  const renamed = new Map(before.map((b, i) => [b.label, after[i]?.label]));
  return graph.edges.flatMap((e) => {
    if (e.source !== node.id || e.label === null) return [e];
    const label = renamed.get(e.label);
    return label ? [{ ...e, label }] : [];
  });
}

export function useJourneyGraph(initial: Graph, readOnly: boolean) {
  const history = useHistory<Graph>(initial);
  const { set, preview, commit } = history;
  const graph = history.value;
  const [selected, setSelected] = useState<string[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const [sizes, setSizes] = useState<Record<string, Size>>({});
  const latest = useRef(graph);
  latest.current = graph;
  const dragStart = useRef<Graph | null>(null);
  const lastEdit = useRef({ key: "", at: 0 });
  const clipboard = useRef<Graph | null>(null);
  const cache = useRef(new Map<string, StepNode>());

  const nodes = useMemo(() => {
    const chosen = new Set(selected);
    const next = graph.nodes.map((n) => {
      const before = cache.current.get(n.id);
      const isSelected = chosen.has(n.id);
      if (before && before.data.config === n.config && before.data.type === n.type && before.position === n.position
        && before.selected === isSelected && before.measured === sizes[n.id]) return before;
      const node: StepNode = { id: n.id, type: "step", position: n.position, data: { type: n.type, config: n.config },
        selected: isSelected, measured: sizes[n.id], draggable: !readOnly };
      cache.current.set(n.id, node);
      return node;
    });
    return next;
  }, [graph.nodes, selected, sizes, readOnly]);

  const baseEdges = useMemo(() => {
    const chosen = new Set(selectedEdges);
    return graph.edges.map((e): Edge => {
      const id = edgeId(e);
      return { id, source: e.source, target: e.target, sourceHandle: e.label, selected: chosen.has(id) };
    });
  }, [graph.edges, selectedEdges]);

  const onNodesChange = useCallback((changes: NodeChange<StepNode>[]) => {
    const moved = new Map<string, XYPosition>();
    let dragging = false;
    let dropped = false;
    for (const change of changes) {
      if (change.type === "dimensions" && change.dimensions) {
        const size = change.dimensions;
        setSizes((s) => (s[change.id]?.width === size.width && s[change.id]?.height === size.height ? s : { ...s, [change.id]: size }));
      } else if (change.type === "select") {
        setSelected((s) => (change.selected ? (s.includes(change.id) ? s : [...s, change.id]) : s.filter((id) => id !== change.id)));
      } else if (change.type === "position") {
        if (change.position) moved.set(change.id, change.position);
        dragging ||= change.dragging === true;
        dropped ||= change.dragging === false;
      }
    }
    // A drag shows every move at once and makes one undo step when the step is dropped.
    if (dragging && !dragStart.current) dragStart.current = latest.current;
    if (moved.size) preview((g) => ({ ...g, nodes: g.nodes.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)) }));
    if (dropped && dragStart.current) {
      commit(dragStart.current);
      dragStart.current = null;
    }
  }, [set, preview, commit]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    for (const change of changes) {
      if (change.type === "select")
        setSelectedEdges((s) => (change.selected ? [...s.filter((id) => id !== change.id), change.id] : s.filter((id) => id !== change.id)));
    }
  }, []);

  const onConnect = useCallback((c: Connection) => {
    set((g) => connect(g, c.source, c.sourceHandle ?? null, c.target));
  }, [set]);

  const remove = useCallback((nodeIds: string[], edgeIds: string[]) => {
    const gone = new Set(nodeIds);
    const cut = new Set(edgeIds);
    set((g) => ({
      nodes: g.nodes.filter((n) => !gone.has(n.id)),
      edges: g.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target) && !cut.has(edgeId(e))),
    }));
    setSelected([]);
    setSelectedEdges([]);
  }, [set]);

  /** Add a step where it was dropped, or below the selected step and connected to it. */
  const addNode = useCallback((type: StepType, position?: XYPosition) => {
    const g = latest.current;
    const id = newNodeId(type, new Set(g.nodes.map((n) => n.id)));
    const anchor = selected.length === 1 ? g.nodes.find((n) => n.id === selected[0]) : undefined;
    const at = position ?? (anchor ? { x: anchor.position.x, y: anchor.position.y + (sizes[anchor.id]?.height ?? 90) + GAP / 2 }
      : { x: 0, y: g.nodes.length ? Math.max(...g.nodes.map((n) => n.position.y)) + GAP : 0 });
    const node: JourneyNode = { id, type, config: startingConfig(type), position: at };
    const exit = !position && anchor ? freeExit(g, anchor) : undefined;
    set((current) => {
      const added = { ...current, nodes: [...current.nodes, node] };
      return exit !== undefined && anchor && !type.startsWith("entry.") ? connect(added, anchor.id, exit, id) : added;
    });
    setSelected([id]);
    setSelectedEdges([]);
    return id;
  }, [set, selected, sizes]);

  /** Change a step's settings; typing in one field makes one undo step, not one per key. */
  const updateConfig = useCallback((id: string, config: Config, field: string) => {
    const now = Date.now();
    const key = `${id}.${field}`;
    const merge = lastEdit.current.key === key && now - lastEdit.current.at < 1000;
    lastEdit.current = { key, at: now };
    const apply = (g: Graph): Graph => {
      const node = g.nodes.find((n) => n.id === id);
      if (!node) return g;
      const edges = node.type === "flow.split" ? followBranches(g, node, config) : g.edges;
      return { nodes: g.nodes.map((n) => (n.id === id ? { ...n, config } : n)), edges };
    };
    if (merge) preview(apply);
    else set(apply);
  }, [set, preview]);

  const copy = useCallback(() => {
    const g = latest.current;
    const chosen = new Set(selected);
    clipboard.current = {
      nodes: g.nodes.filter((n) => chosen.has(n.id)),
      edges: g.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)),
    };
  }, [selected]);

  /** Paste the copied steps beside the originals, with new ids and their connections between them. */
  const paste = useCallback(() => {
    const copied = clipboard.current;
    if (!copied?.nodes.length) return;
    const taken = new Set(latest.current.nodes.map((n) => n.id));
    const ids = new Map<string, string>();
    for (const n of copied.nodes) {
      const id = newNodeId(n.type, taken);
      taken.add(id);
      ids.set(n.id, id);
    }
    const nodes = copied.nodes.map((n) => ({ ...n, id: ids.get(n.id)!, position: { x: n.position.x + 60, y: n.position.y + 60 } }));
    const edges = copied.edges.map((e) => ({ ...e, source: ids.get(e.source)!, target: ids.get(e.target)! }));
    set((g) => ({ nodes: [...g.nodes, ...nodes], edges: [...g.edges, ...edges] }));
    setSelected(nodes.map((n) => n.id));
    clipboard.current = { nodes, edges };
  }, [set]);

  const layout = useCallback(() => set((g) => autoLayout(g, sizes)), [set, sizes]);

  return {
    graph,
    nodes,
    baseEdges,
    selected,
    setSelected,
    onNodesChange,
    onEdgesChange,
    onConnect,
    remove,
    addNode,
    updateConfig,
    copy,
    paste,
    layout,
    undo: history.undo,
    redo: history.redo,
    canUndo: history.canUndo,
    canRedo: history.canRedo,
  };
}

export type JourneyGraph = ReturnType<typeof useJourneyGraph>;
