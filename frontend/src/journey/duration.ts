// ISO 8601 durations ("P2D", "PT2H", "-P7D") as a number and a unit a marketer picks.
export const UNITS = ["minutes", "hours", "days", "weeks"] as const;
export type Unit = (typeof UNITS)[number];
export type Amount = { amount: number; unit: Unit };

const MINUTES: Record<Unit, number> = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };
const PATTERN = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

export function parseDuration(text: unknown): Amount | null {
  const match = typeof text === "string" ? PATTERN.exec(text.trim()) : null;
  if (!match || text === "P" || text === "PT") return null;
  const [, sign, w, d, h, m] = match;
  const total = (Number(w ?? 0) * 7 * 24 + Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0);
  const unit = [...UNITS].reverse().find((u) => total % MINUTES[u] === 0) ?? "minutes";
  return { amount: (sign ? -1 : 1) * (total / MINUTES[unit]), unit };
}

export function formatDuration({ amount, unit }: Amount): string {
  const sign = amount < 0 ? "-" : "";
  const n = Math.abs(amount);
  return sign + { minutes: `PT${n}M`, hours: `PT${n}H`, days: `P${n}D`, weeks: `P${n}W` }[unit];
}
