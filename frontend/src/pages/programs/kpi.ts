// How a program's KPI reads on screen: a rate in percent, a revenue in money, leads as a count.
import type { TFunction } from "i18next";
import { formatMoney, formatNumber } from "../../components/format";

export const RATES = new Set(["conversion_rate", "repeat_purchase_rate", "open_rate"]);

export function formatKpi(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (RATES.has(metric)) return `${formatNumber(value * 100, { maximumFractionDigits: 1 })} %`;
  if (metric === "segment_revenue") return formatMoney(value);
  return formatNumber(value);
}

export const kpiName = (t: TFunction, metric: string) => t(`plan.kpis.${metric}.name`);
export const kpiDefinition = (t: TFunction, metric: string) => t(`plan.kpis.${metric}.definition`);
