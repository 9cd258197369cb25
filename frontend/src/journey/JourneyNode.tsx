import { useQuery } from "@tanstack/react-query";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { journeyStats, keys } from "../api/queries/journeys";
import { reasonLabel } from "../components/AudienceConfirm";
import { exitsOf, groupOf, kindOf, typeKey } from "./catalog";
import type { Config, StepType } from "./definition";
import { useDecoration } from "./decorations";
import { useLookups } from "./lookups";
import { summarize } from "./summary";

// Small on purpose: the config object is shared with the graph, so moving a step keeps it.
export type StepData = { type: StepType; config: Config };
export type StepNode = Node<StepData, "step">;

function Counts({ id }: { id: string }) {
  const { t } = useTranslation();
  const { counts } = useDecoration(id);
  if (!counts) return null;
  return (
    <div className="journey-node-counts" data-testid={`node-count-${id}`}>
      {t("journeys.counts", counts)}
    </div>
  );
}

/** How many the step left out (the entry: who did not enter; a send: messages not sent), from the
 * statistics the editor loads; the reasons in the tooltip, the contacts in the statistics tab. */
function LeftOut({ id, entry }: { id: string; entry: boolean }) {
  const { t } = useTranslation();
  const journeyId = Number(useParams().id);
  const stats = useQuery({ queryKey: keys.stats(journeyId), queryFn: () => journeyStats(journeyId), enabled: false });
  const rows = entry ? stats.data?.left_out : stats.data?.nodes[id]?.left_out;
  const count = (rows ?? []).reduce((sum, r) => sum + r.count, 0);
  if (!rows || count === 0) return null;
  const reasons = rows.map((r) => `${r.count} · ${reasonLabel(t, r.reason)}`).join("\n");
  return (
    <div className="journey-node-counts" style={{ color: "var(--mantine-color-orange-8)" }} title={reasons} data-testid={`node-left-out-${id}`}>
      {t("journeys.left_out_badge", { count })}
    </div>
  );
}

function Exits({ id, labels }: { id: string; labels: string[] | null }) {
  const { t } = useTranslation();
  if (labels === null) return <Handle type="source" position={Position.Bottom} data-testid={`handle-out-${id}`} />;
  return (
    <div className="journey-node-exits">
      {labels.map((label, i) => {
        const left = `${((i + 0.5) * 100) / labels.length}%`;
        return (
          <span key={label} className="journey-node-exit" style={{ left }}>
            {["yes", "no", "happened", "timeout"].includes(label) ? t(`journeys.exits.${label}`) : label}
            <Handle type="source" id={label} position={Position.Bottom} style={{ left: "50%" }} data-testid={`handle-out-${id}-${label}`} />
          </span>
        );
      })}
    </div>
  );
}

function StepView({ id, data, selected }: NodeProps<StepNode>) {
  const { t } = useTranslation();
  const lookups = useLookups();
  const { problem, onPath } = useDecoration(id);
  const kind = kindOf(data.type);
  const Icon = kind.icon;
  const summary = summarize(data.type, data.config, t, lookups);
  return (
    <div
      className="journey-node"
      data-testid={`node-${id}`}
      data-type={data.type}
      data-selected={selected ? "yes" : "no"}
      data-problem={problem ? "yes" : "no"}
      data-on-path={onPath ? "yes" : "no"}
      style={{ ["--kind-color" as string]: `var(--mantine-color-${kind.color}-6)` }}
    >
      {groupOf(data.type) !== "entry" && <Handle type="target" position={Position.Top} data-testid={`handle-in-${id}`} />}
      <div className="journey-node-title">
        <Icon size={16} stroke={1.8} />
        <span>{t(`journeys.types.${typeKey(data.type)}`)}</span>
      </div>
      {summary && <div className="journey-node-summary">{summary}</div>}
      <Counts id={id} />
      <LeftOut id={id} entry={groupOf(data.type) === "entry"} />
      <Exits id={id} labels={exitsOf(data.type, data.config)} />
    </div>
  );
}

// A step redraws when its own kind, settings or selection change, not when another step moves.
export const JourneyNode = memo(
  StepView,
  (a, b) => a.id === b.id && a.selected === b.selected && a.data.type === b.data.type && a.data.config === b.data.config,
);
