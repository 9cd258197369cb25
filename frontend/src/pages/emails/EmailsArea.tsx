import { Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Route, Routes, useLocation, useNavigate } from "react-router";
import { CampaignPage } from "../campaigns/CampaignPage";
import { CampaignsList } from "../campaigns/CampaignsList";
import { NewCampaignPage } from "../campaigns/NewCampaignPage";
import { EmailEditorPage } from "./EmailEditorPage";
import { EmailList } from "./EmailList";
import { OutboxPage } from "./OutboxPage";

const TABS = [
  { key: "list", path: "/emails" },
  { key: "campaigns", path: "/emails/campaigns" },
  { key: "outbox", path: "/emails/outbox" },
] as const;

/** Emails, campaigns and the outbox: one area of the product, three tabs. */
export function EmailsArea() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const editing = /^\/emails\/\d+/.test(pathname);
  if (editing)
    return (
      <Routes>
        <Route path=":id" element={<EmailEditorPage />} />
      </Routes>
    );
  const active = pathname.startsWith("/emails/campaigns") ? "campaigns" : pathname.startsWith("/emails/outbox") ? "outbox" : "list";
  return (
    <Stack>
      <Title order={2}>{t("nav.emails")}</Title>
      <Tabs value={active} onChange={(v) => navigate(TABS.find((x) => x.key === v)!.path)}>
        <Tabs.List>
          {TABS.map((tab) => (
            <Tabs.Tab key={tab.key} value={tab.key} data-testid={`emails-tab-${tab.key}`}>
              {t(`emails.tabs.${tab.key}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {/* The address chooses the tab: the one panel shows what it leads to. */}
        <Tabs.Panel value={active} pt="md">
          <Routes>
            <Route index element={<EmailList />} />
            <Route path="campaigns" element={<CampaignsList />} />
            <Route path="campaigns/new" element={<NewCampaignPage />} />
            <Route path="campaigns/:id" element={<CampaignPage />} />
            <Route path="outbox" element={<OutboxPage />} />
          </Routes>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
