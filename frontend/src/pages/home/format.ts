// How the Home writes its numbers: counts, sums, shares, and a change against the previous period.
import type { OverviewFigure } from "../../api/queries/reports_home";

export const isRate = (figure: Pick<OverviewFigure, "divided_by">) => figure.divided_by != null;

export function formatValue(value: number | null | undefined, rate: boolean, language: string): string {
  if (value == null) return "—";
  if (rate) return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 }).format(value);
  return new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
}

/** "+12%" / "−5%": the sign written out, so the trend reads without its colour. */
export function formatChange(change: number, language: string): string {
  return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(change);
}
