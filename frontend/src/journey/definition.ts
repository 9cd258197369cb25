// The engine's journey definition <-> the canvas's graph. React components only see the graph.
// The steps' types and settings are generated from the backend's (journeys/steps.py): a field
// renamed or a step type added there fails this build until the SPA follows.
import type { Schemas } from "../api/client";
import { exitsOf, startingConfig } from "./catalog";

type Definition = Schemas["JourneyDefinition"];
type StepShape = NonNullable<Definition["nodes"]>[number];
export type StepType = StepShape["type"];
/** The settings of one step type, e.g. `ConfigOf<"action.email">` is `Schemas["EmailStepConfig"]`. */
export type ConfigOf<T extends StepType> = NonNullable<Extract<StepShape, { type: T }>["config"]>;
/** A step's type with its settings, told apart by `type`: a `switch (step.type)` narrows `step.config`. */
export type Step = { [T in StepType]: { type: T; config: ConfigOf<T> } }[StepType];
/** Any step's settings. */
export type Config = Step["config"];
/** Every field some step has, and the values it takes there. */
export type ConfigField = Config extends infer C ? (C extends unknown ? keyof C & string : never) : never;
export type ConfigValue<K extends ConfigField> = Config extends infer C ? (C extends unknown ? (K extends keyof C ? C[K] : never) : never) : never;

export type XY = { x: number; y: number };
export type JourneyNode = { id: string; type: StepType; config: Config; position: XY };
export type JourneyEdge = { source: string; target: string; label: string | null };
export type Graph = { nodes: JourneyNode[]; edges: JourneyEdge[] };

/** A node's type and settings as one narrowable value. The graph keeps them side by side, and they
 * agree: a step's type never changes and its form only writes its own type's settings. */
export const stepOf = (type: StepType, config: Config) => ({ type, config }) as Step;

export function fromDefinition(definition: Definition): Graph {
  return {
    nodes: (definition.nodes ?? []).map((n, i) => ({
      id: n.id,
      type: n.type,
      config: n.config ?? startingConfig(n.type),
      position: { x: n.position?.x ?? 0, y: n.position?.y ?? i * 140 },
    })),
    edges: (definition.edges ?? []).map((e) => ({ source: e.source, target: e.target, label: e.label ?? null })),
  };
}

export function toDefinition(graph: Graph): Definition {
  return {
    nodes: graph.nodes.map(({ id, type, config, position }) => ({ id, ...stepOf(type, config), position: { x: Math.round(position.x), y: Math.round(position.y) } })),
    edges: graph.edges.map(({ source, target, label }) => (label === null ? { source, target } : { source, target, label })),
  };
}

export const edgeId = (edge: JourneyEdge) => `${edge.source}:${edge.label ?? ""}:${edge.target}`;

/** A short id that says what the step is (`email-k3f9`) and is not taken yet. */
export function newNodeId(type: StepType, taken: Set<string>): string {
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
