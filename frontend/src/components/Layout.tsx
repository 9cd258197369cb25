import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Select, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconActivity,
  IconAddressBook,
  IconBuilding,
  IconCalendarEvent,
  IconChartBar,
  IconFilter,
  IconForms,
  IconGauge,
  IconHome,
  IconLayoutKanban,
  IconCoin,
  IconLogout,
  IconMail,
  IconPhoto,
  IconRoute,
  IconTarget,
  IconSettings,
  IconTransfer,
  IconWorldWww,
} from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { LANGUAGES } from "../i18n";

const AREAS = [
  { key: "contacts", icon: IconAddressBook },
  { key: "companies", icon: IconBuilding },
  { key: "segments", icon: IconFilter },
  { key: "behaviour", icon: IconActivity },
  { key: "emails", icon: IconMail },
  { key: "assets", icon: IconPhoto },
  { key: "forms", icon: IconForms },
  { key: "pages", icon: IconWorldWww },
  { key: "journeys", icon: IconRoute },
  { key: "plan", icon: IconTarget },
  { key: "events", icon: IconCalendarEvent },
  { key: "scoring", icon: IconGauge },
  { key: "pipeline", icon: IconLayoutKanban },
  { key: "opportunities", icon: IconCoin },
  { key: "data", icon: IconTransfer },
  { key: "reports", icon: IconChartBar },
  { key: "settings", icon: IconSettings },
] as const;

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { setLanguage } = useAuth();
  return (
    <Select
      aria-label={t("common.language")}
      data-testid="language-switch"
      size="xs"
      w={120}
      data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))}
      value={i18n.language}
      allowDeselect={false}
      onChange={(value) => value && void setLanguage(value as "en" | "fr")}
    />
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, logout } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const name = me?.user?.name || me?.name || "";
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("common.menu")} />
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <Text fw={700} size="lg">
              Parcours
            </Text>
          </Group>
          <Group gap="sm">
            <LanguageSwitch />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton data-testid="user-menu" aria-label={t("common.account_of", { name })}>
                  <Group gap={6}>
                    {/* No initial in it: the button is named by the name it shows. */}
                    <Avatar size="sm" color="indigo" radius="xl" />
                    <Text size="sm" visibleFrom="sm">
                      {name}
                    </Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{t(`roles.${me?.role ?? "viewer"}`)}</Menu.Label>
                <Menu.Item component={Link} to="/settings/profile" leftSection={<IconSettings size={16} />} data-testid="user-profile">
                  {t("settings.profile")}
                </Menu.Item>
                <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void logout()} data-testid="logout">
                  {t("common.logout")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <ScrollArea>
          <NavLink
            component={Link}
            to="/"
            label={t("nav.home")}
            leftSection={<IconHome size={18} stroke={1.6} />}
            active={pathname === "/"}
            onClick={close}
            data-testid="nav-home"
          />
          {AREAS.map(({ key, icon: Icon }) => (
            <NavLink
              key={key}
              component={Link}
              to={`/${key}`}
              label={t(`nav.${key}`)}
              leftSection={<Icon size={18} stroke={1.6} />}
              active={pathname.startsWith(`/${key}`)}
              onClick={close}
              data-testid={`nav-${key}`}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
