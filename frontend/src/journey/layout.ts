// Auto-layout: dagre ranks the steps top-down and spreads the branches of each rank.
import dagre from "@dagrejs/dagre";
import { exitsOf } from "./catalog";
import type { Graph, XY } from "./definition";

const NODE_WIDTH = 240;
const NODE_HEIGHT = 90;

export function autoLayout(graph: Graph, sizes: Record<string, { width: number; height: number }>): Graph {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 50, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: sizes[node.id]?.width ?? NODE_WIDTH, height: sizes[node.id]?.height ?? NODE_HEIGHT });
  for (const edge of graph.edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  const at = new Map<string, XY>(graph.nodes.map((node) => {
    const { x, y, width, height } = g.node(node.id);
    return [node.id, { x: x - width / 2, y: y - height / 2 }];
  }));
  orderBranches(graph, at);
  return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, position: at.get(node.id)! })) };
}

/** dagre does not know which exit an edge leaves from: put each branch under its own exit,
 * left to right ("yes" left of "no"), moving the steps that follow it along. */
function orderBranches(graph: Graph, at: Map<string, XY>) {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const shift = (start: string, dx: number) => {
    const seen = new Set([start]);
    for (const id of seen) {
      at.get(id)!.x += dx;
      for (const target of next.get(id) ?? []) seen.add(target);
    }
  };
  const topDown = [...graph.nodes].sort((a, b) => at.get(a.id)!.y - at.get(b.id)!.y);
  for (const node of topDown) {
    const targets = (exitsOf(node.type, node.config) ?? [])
      .map((label) => graph.edges.find((e) => e.source === node.id && e.label === label)?.target)
      .filter((id): id is string => id !== undefined && at.has(id));
    const xs = targets.map((id) => at.get(id)!.x).sort((a, b) => a - b);
    targets.forEach((id, i) => shift(id, xs[i] - at.get(id)!.x));
  }
}
