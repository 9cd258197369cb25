// The marketing plan drawn as a Gantt, with plain HTML: one row per journey, campaign or event,
// its bar from start to end (to today while it runs), a journey's or campaign's emails as marks
// on the bar, a line at today. Every bar and mark is a link (keyboard focusable, named in words).
import { Box, Text, Tooltip } from "@mantine/core";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { PlanRow } from "../../api/queries/reports_journeys";
import { formatDate, formatDateTime, formatNumber } from "../../components/format";
import i18n from "../../i18n";

export type Zoom = "week" | "month" | "quarter" | "year";
const DAY = 86_400_000;
// How wide a day is at each zoom: a week fills a screen, a year fits in one.
export const DAY_WIDTH: Record<Zoom, number> = { week: 140, month: 34, quarter: 11, year: 2.8 };
const LABEL = 240;
const ROW = 36;
export const COLORS = { journey: "var(--mantine-color-indigo-6)", campaign: "var(--mantine-color-teal-6)", event: "var(--mantine-color-orange-6)" };

export function rowLink(row: PlanRow): string {
  return row.kind === "journey" ? `/journeys/${row.id}` : row.kind === "campaign" ? `/emails/campaigns/${row.id}` : `/events/${row.id}`;
}

/** The axis' ticks: days at the week and month zooms, Mondays at the quarter's, months at the year's. */
function ticks(start: number, end: number, zoom: Zoom): { at: number; label: string }[] {
  const found = [];
  const format = new Intl.DateTimeFormat(i18n.language, zoom === "year" ? { month: "short", year: "2-digit", timeZone: "UTC" } : { day: "numeric", month: "short", timeZone: "UTC" });
  for (let at = start; at < end; at += DAY) {
    const day = new Date(at);
    const keep = zoom === "week" || zoom === "month" ? true : zoom === "quarter" ? day.getUTCDay() === 1 : day.getUTCDate() === 1;
    if (keep) found.push({ at, label: format.format(day) });
  }
  return zoom === "month" ? found.filter((_, i) => i % 2 === 0) : found;
}

/** Marks sent at nearly the same time would hide each other: each goes at least a mark's width
 * right of the previous one (messages come sorted by first send). */
function placed(xs: number[]): number[] {
  const out: number[] = [];
  for (const at of xs) out.push(out.length && at < out[out.length - 1] + 12 ? out[out.length - 1] + 12 : at);
  return out;
}

export function PlanGantt({ rows, from, to, zoom, now }: { rows: PlanRow[]; from: string; to: string; zoom: Zoom; now: number }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + DAY;
  const perMs = DAY_WIDTH[zoom] / DAY;
  const width = Math.max(1, (end - start) * perMs);
  const x = (at: number) => Math.min(width, Math.max(0, (at - start) * perMs));
  const span = (row: PlanRow) => {
    const first = Date.parse(row.starts_at);
    const last = row.ends_at ? Date.parse(row.ends_at) : Math.max(now, first);
    return { left: x(first), right: x(last) };
  };
  // Today (or the period's end) in view at each zoom, a little right of the middle.
  useEffect(() => {
    const box = scroller.current;
    if (box) box.scrollLeft = Math.max(0, LABEL + x(Math.min(now, end)) - box.clientWidth * 0.7);
  }, [zoom, from, to]); // eslint-disable-line react-hooks/exhaustive-deps
  const until = (row: PlanRow) =>
    row.ends_at ? formatDate(row.ends_at) : t("reports.plan.today");
  return (
    <Box ref={scroller} style={{ overflowX: "auto" }} data-testid="plan-gantt" role="region" aria-label={t("reports.plan.chart")} tabIndex={0}>
      <Box style={{ position: "relative", width: LABEL + width, minHeight: ROW * (rows.length + 1) }}>
        <Box style={{ position: "relative", height: ROW, marginLeft: LABEL }} aria-hidden>
          {ticks(start, end, zoom).map((tick) => (
            <Text key={tick.at} size="xs" c="dimmed" style={{ position: "absolute", left: x(tick.at), top: 8, whiteSpace: "nowrap", borderLeft: "1px solid var(--mantine-color-gray-3)", paddingLeft: 3 }}>
              {tick.label}
            </Text>
          ))}
        </Box>
        {rows.map((row) => {
          const { left, right } = span(row);
          // A campaign scheduled but not started is a moment: a diamond. Anything else is a bar.
          const point = row.kind === "campaign" && row.ends_at === row.starts_at;
          const barWidth = Math.max(6, right - left);
          const kind = t(`reports.plan.kinds.${row.kind}`);
          const label = row.ends_at
            ? t("reports.plan.bar_label", { kind, name: row.name, from: formatDate(row.starts_at), to: until(row) })
            : t("reports.plan.bar_running", { kind, name: row.name, from: formatDate(row.starts_at) });
          return (
            <Box key={`${row.kind}-${row.id}`} style={{ display: "flex", height: ROW, alignItems: "center", borderTop: "1px solid var(--mantine-color-gray-2)" }} data-testid={`plan-row-${row.kind}-${row.id}`}>
              <Text size="sm" truncate w={LABEL} miw={LABEL} pr="sm" title={row.name}
                style={{ position: "sticky", left: 0, zIndex: 2, background: "var(--mantine-color-body)" }}>
                <Text span size="xs" c="dimmed">{kind} · </Text>{row.name}
              </Text>
              <Box style={{ position: "relative", width, height: ROW }}>
                <Tooltip label={label} events={{ hover: true, focus: true, touch: true }} withinPortal>
                  <Link
                    to={rowLink(row)}
                    aria-label={label}
                    data-testid={`plan-bar-${row.kind}-${row.id}`}
                    style={{
                      position: "absolute",
                      left: point ? left - 6 : left,
                      width: point ? 12 : barWidth,
                      top: point ? 6 : 5,
                      height: point ? 12 : 14,
                      borderRadius: point ? 2 : 4,
                      transform: point ? "rotate(45deg) scale(0.8)" : undefined,
                      background: COLORS[row.kind],
                      opacity: row.running ? 0.85 : 1,
                      backgroundImage: row.running ? "repeating-linear-gradient(135deg, transparent 0 6px, rgba(255,255,255,.25) 6px 12px)" : undefined,
                    }}
                  />
                </Tooltip>
                {placed(row.messages.map((m) => x(Date.parse(m.first_sent_at)))).map((at, i) => {
                  const message = row.messages[i];
                  const words = t("reports.plan.mark_label", {
                    name: message.name,
                    first: formatDateTime(message.first_sent_at),
                    last: formatDateTime(message.last_sent_at),
                    sent: formatNumber(message.sent),
                  });
                  return (
                    <Tooltip key={message.email_id} label={words} events={{ hover: true, focus: true, touch: true }} withinPortal multiline maw={320}>
                      <Link
                        to={rowLink(row)}
                        aria-label={words}
                        data-testid={`plan-mark-${row.kind}-${row.id}-${message.email_id}`}
                        style={{
                          position: "absolute",
                          left: at - 5,
                          // Just under the bar: a mark never hides the bar it belongs to.
                          top: 21,
                          width: 10,
                          height: 10,
                          borderRadius: "50%",
                          background: "white",
                          border: "2px solid var(--mantine-color-dark-6)",
                        }}
                      />
                    </Tooltip>
                  );
                })}
              </Box>
            </Box>
          );
        })}
        {now >= start && now < end && (
          <Box
            data-testid="plan-today"
            aria-hidden
            style={{ position: "absolute", top: 0, bottom: 0, left: LABEL + x(now), width: 0, borderLeft: "2px dashed var(--mantine-color-red-6)", pointerEvents: "none" }}
          >
            <Text size="xs" c="red.9" fw={600} style={{ position: "absolute", top: -2, left: 4 }}>{t("reports.plan.today")}</Text>
          </Box>
        )}
      </Box>
    </Box>
  );
}
