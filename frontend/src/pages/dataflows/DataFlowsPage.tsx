// Data in and out on a schedule: import sources, and exports of segments.
import { Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useParams } from "react-router";
import { ExportsTab } from "./ExportsTab";
import { SourcesTab } from "./SourcesTab";

const TABS = [
  { key: "sources", element: <SourcesTab /> },
  { key: "exports", element: <ExportsTab /> },
] as const;

export function DataFlowsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const tab = useParams()["*"] || "sources";
  if (!TABS.some((v) => v.key === tab)) return <Navigate to="/data/sources" replace />;
  return (
    <Stack>
      <Title order={2}>{t("nav.data")}</Title>
      <Tabs value={tab} onChange={(v) => v && navigate(`/data/${v}`)} keepMounted={false}>
        <Tabs.List>
          {TABS.map(({ key }) => (
            <Tabs.Tab key={key} value={key} data-testid={`data-tab-${key}`}>
              {t(`dataflows.tab_${key}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {TABS.map(({ key, element }) => (
          <Tabs.Panel key={key} value={key} pt="md">
            {element}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
