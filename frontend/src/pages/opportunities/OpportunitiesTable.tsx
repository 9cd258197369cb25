import { Anchor, Badge } from "@mantine/core";
import { IconPencil, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import {
  deleteOpportunity,
  useOpportunities,
  useRefreshOpportunities,
  type Opportunity,
  type OpportunityQuery,
} from "../../api/queries/opportunities";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable, type Column } from "../../components/DataTable";
import { formatDate, formatMoney } from "../../components/format";
import { OpportunityDrawer } from "./OpportunityDrawer";

const STAGE_COLORS: Record<string, string> = { qualify: "gray", develop: "blue", propose: "violet", won: "green", lost: "red" };
const money = (v: number | null | undefined) => (v == null ? "" : formatMoney(v));

/** Opportunities matching `query`, each opened for editing in a drawer and deleted after a confirmation. */
export function OpportunitiesTable({ query, testId, hide = [], empty }: {
  query: OpportunityQuery;
  testId: string;
  hide?: ("contact" | "account")[];
  empty: string;
}) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const list = useOpportunities(query);
  const refresh = useRefreshOpportunities();
  const [editing, setEditing] = useState<Opportunity | null>(null);
  const all: Column<Opportunity>[] = [
    { key: "name", header: t("opportunities.fields.name"), render: (o) => <span data-testid="opportunity-row-name">{o.name}</span> },
    { key: "contact", header: t("opportunities.fields.contact"), render: (o) => (
      <Anchor component={Link} to={`/contacts/${o.contact_id}`} onClick={(e) => e.stopPropagation()}>{o.contact_name ?? `#${o.contact_id}`}</Anchor>
    ) },
    { key: "account", header: t("opportunities.fields.account"), render: (o) => o.account_id ? (
      <Anchor component={Link} to={`/companies/${o.account_id}`} onClick={(e) => e.stopPropagation()}>{o.account_name ?? `#${o.account_id}`}</Anchor>
    ) : "" },
    { key: "stage", header: t("opportunities.fields.stage"), render: (o) => (
      <Badge color={STAGE_COLORS[o.stage] ?? "gray"} variant="light" data-testid="opportunity-row-stage">{t(`companies.opportunity_stages.${o.stage}`, { defaultValue: o.stage })}</Badge>
    ) },
    { key: "origin", header: t("opportunities.fields.origin"), render: (o) => (
      <span data-testid="opportunity-row-origin">{o.origin ? t(`opportunities.origins.${o.origin.kind}`) : t("opportunities.no_origin")}</span>
    ) },
    { key: "budget", header: t("opportunities.fields.budget"), align: "right", render: (o) => <span data-testid="opportunity-row-budget">{money(o.budget)}</span> },
    { key: "estimated", header: t("opportunities.fields.estimated_revenue"), align: "right", render: (o) => <span data-testid="opportunity-row-estimated">{money(o.estimated_revenue)}</span> },
    { key: "actual", header: t("opportunities.fields.actual_revenue"), align: "right", render: (o) => <span data-testid="opportunity-row-actual">{money(o.actual_revenue)}</span> },
    { key: "close", header: t("opportunities.fields.close_date"), render: (o) => formatDate(o.close_date) },
  ];
  const columns = all.filter((c) => !hide.includes(c.key as "contact" | "account"));
  return (
    <>
      <DataTable
        testId={testId}
        rows={list.items}
        rowKey={(o) => o.id}
        rowProps={(o) => ({ "data-testid": `opportunity-row-${o.id}` })}
        onRowClick={canWrite ? (o) => setEditing(o) : undefined}
        loading={list.isLoading}
        error={list.error}
        pager={list.pager}
        empty={{ testId: `${testId}-empty`, message: empty }}
        columns={columns}
        actions={canWrite ? [
          { key: "edit", label: t("common.edit"), icon: <IconPencil size={16} />, testId: "opportunity-edit", onClick: (o) => setEditing(o) },
          {
            key: "delete",
            label: t("common.delete"),
            icon: <IconTrash size={16} />,
            color: "red",
            testId: "opportunity-delete",
            confirm: (o) => ({
              title: t("opportunities.delete_title"),
              message: t("opportunities.delete_message", { name: o.name }),
              confirm: t("common.delete"),
              testId: "opportunity-delete-confirm",
            }),
            onClick: async (o) => {
              await deleteOpportunity(o.id);
              refresh();
            },
          },
        ] : undefined}
      />
      <OpportunityDrawer opened={editing !== null} opportunity={editing ?? undefined} onClose={() => setEditing(null)} />
    </>
  );
}
