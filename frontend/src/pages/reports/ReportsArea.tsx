import { NavLink, SimpleGrid, Stack, Text, Title, Paper, Anchor } from "@mantine/core";
import type { ReactElement } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Route, Routes, useLocation } from "react-router";
import { EmailResultsPage } from "./EmailResultsPage";
import { SpendPage } from "./SpendPage";

// The report pages, in the order of the menu: `key` names the page (its words are under
// reports.pages.<key>: title and description) and its path under /reports.
type ReportPage = { key: string; element: ReactElement };
export const REPORT_PAGES: ReportPage[] = [
  { key: "emails", element: <EmailResultsPage /> },
  { key: "spend", element: <SpendPage /> },
];

/** The reports' side menu: each link keeps the filters of the URL (the period, journeys...). */
function ReportsMenu() {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Stack gap={2} w={220} data-testid="reports-menu" component="nav" aria-label={t("nav.reports")}>
      {REPORT_PAGES.map(({ key }) => (
        <NavLink
          key={key}
          component={Link}
          to={{ pathname: `/reports/${key}`, search: location.search }}
          label={t(`reports.pages.${key}.title`)}
          active={location.pathname.startsWith(`/reports/${key}`)}
          data-testid={`reports-menu-${key}`}
        />
      ))}
    </Stack>
  );
}

/** /reports: every report with what it answers. */
function ReportsIndex() {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Stack>
      <Title order={2}>{t("nav.reports")}</Title>
      <SimpleGrid cols={{ base: 1, md: 2, lg: 3 }}>
        {REPORT_PAGES.map(({ key }) => (
          <Paper key={key} withBorder p="md">
            <Anchor component={Link} to={{ pathname: `/reports/${key}`, search: location.search }} fw={600} data-testid={`reports-card-${key}`}>
              {t(`reports.pages.${key}.title`)}
            </Anchor>
            <Text size="sm" c="dimmed" mt={4}>{t(`reports.pages.${key}.description`)}</Text>
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

export function ReportsArea() {
  return (
    <div style={{ display: "flex", gap: "var(--mantine-spacing-lg)", alignItems: "flex-start" }} data-testid="reports-area">
      <ReportsMenu />
      <div style={{ flex: 1, minWidth: 0 }}>
        <Routes>
          <Route index element={<ReportsIndex />} />
          {REPORT_PAGES.map(({ key, element }) => (
            <Route key={key} path={`${key}/*`} element={element} />
          ))}
          <Route path="*" element={<Navigate to="/reports" replace />} />
        </Routes>
      </div>
    </div>
  );
}
