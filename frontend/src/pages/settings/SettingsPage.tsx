import { Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { ApiKeysTab } from "./ApiKeysTab";
import { AuditTab } from "./AuditTab";
import { CustomFieldsTab } from "./CustomFieldsTab";
import { OrganizationTab } from "./OrganizationTab";
import { ProfileTab } from "./ProfileTab";
import { SystemTab } from "./SystemTab";
import { TemplatesTab } from "./TemplatesTab";
import { TopicsTab } from "./TopicsTab";
import { UsersTab } from "./UsersTab";
import { WebhooksTab } from "../webhooks/WebhooksTab";

const TABS = [
  { key: "profile", admin: false, element: <ProfileTab /> },
  { key: "organization", admin: true, element: <OrganizationTab /> },
  { key: "users", admin: true, element: <UsersTab /> },
  { key: "api-keys", admin: true, element: <ApiKeysTab /> },
  { key: "webhooks", admin: true, element: <WebhooksTab /> },
  { key: "custom-fields", admin: false, element: <CustomFieldsTab /> },
  { key: "topics", admin: false, element: <TopicsTab /> },
  { key: "templates", admin: true, element: <TemplatesTab /> },
  { key: "system", admin: true, element: <SystemTab /> },
  { key: "audit", admin: true, element: <AuditTab /> },
] as const;

export function SettingsPage() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const tab = useParams()["*"] || "profile";
  const visible = TABS.filter((t) => isAdmin || !t.admin);
  if (!visible.some((v) => v.key === tab)) return <Navigate to="/settings/profile" replace />;
  return (
    <Stack>
      <Title order={2}>{t("nav.settings")}</Title>
      <Tabs value={tab} onChange={(v) => v && navigate(`/settings/${v}`)} keepMounted={false}>
        <Tabs.List>
          {visible.map(({ key }) => (
            <Tabs.Tab key={key} value={key} data-testid={`settings-tab-${key}`}>
              {t(`settings.${key.replace("-", "_")}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {visible.map(({ key, element }) => (
          <Tabs.Panel key={key} value={key} pt="md">
            {element}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
