// The engine's journey definition <-> the canvas's graph. React components only see the graph.
import type { Schemas } from "../api/client";
import { exitsOf } from "./catalog";

export type Config = Record<string, unknown>;
export type XY = { x: number; y: number };
export type JourneyNode = { id: string; type: string; config: Config; position: XY };
export type JourneyEdge = { source: string; target: string; label: string | null };
export type Graph = { nodes: JourneyNode[]; edges: JourneyEdge[] };
type Definition = Schemas["Definition"];

export function fromDefinition(definition: Definition): Graph {
  return {
    nodes: (definition.nodes ?? []).map((n, i) => ({
      id: n.id,
      type: n.type,
      config: n.config ?? {},
      position: { x: n.position?.x ?? 0, y: n.position?.y ?? i * 140 },
    })),
    edges: (definition.edges ?? []).map((e) => ({ source: e.source, target: e.target, label: e.label ?? null })),
  };
}

export function toDefinition(graph: Graph): Definition {
  return {
    nodes: graph.nodes.map(({ id, type, config, position }) => ({ id, type, config, position: { x: Math.round(position.x), y: Math.round(position.y) } })),
    edges: graph.edges.map(({ source, target, label }) => (label === null ? { source, target } : { source, target, label })),
  };
}

export const edgeId = (edge: JourneyEdge) => `${edge.source}:${edge.label ?? ""}:${edge.target}`;

/** A short id that says what the step is (`email-k3f9`) and is not taken yet. */
export function newNodeId(type: string, taken: Set<string>): string {
  const base = type.split(".")[1].replace("_", "-");
  for (;;) {
    const id = `${base}-${Math.random().toString(36).slice(2, 6)}`;
    if (!taken.has(id)) return id;
  }
}

/** The first exit of `node` nothing is connected to yet (`null` = its plain exit), or undefined. */
export function freeExit(graph: Graph, node: JourneyNode): string | null | undefined {
  const exits = exitsOf(node.type, node.config);
  const used = new Set(graph.edges.filter((e) => e.source === node.id).map((e) => e.label));
  if (exits === null) return used.size ? undefined : null;
  return exits.find((label) => !used.has(label));
}

/** Connect `source` (through its exit `label`) to `target`, replacing what that exit led to. */
export function connect(graph: Graph, source: string, label: string | null, target: string): Graph {
  if (source === target) return graph;
  const edges = graph.edges.filter((e) => !(e.source === source && e.label === label));
  return { ...graph, edges: [...edges, { source, target, label }] };
}

/** The connections a contact took, from the steps it went through in order. */
export function pathEdges(steps: string[], edges: JourneyEdge[]): Set<string> {
  const taken = new Set<string>();
  for (let i = 0; i + 1 < steps.length; i++) {
    const edge = edges.find((e) => e.source === steps[i] && e.target === steps[i + 1]);
    if (edge) taken.add(edgeId(edge));
  }
  return taken;
}
