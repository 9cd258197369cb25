import { Alert, Badge, Button, Code, Drawer, Group, Select, Stack, Table, Tabs, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMessage, useMessages } from "../../api/queries/outbox";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";

const STATUSES = ["queued", "held", "sending", "sent", "captured", "suppressed", "failed"] as const;
const COLORS: Record<string, string> = { sent: "green", captured: "teal", suppressed: "orange", failed: "red", queued: "gray", held: "gray", sending: "blue" };

// Tried and refused for a while: queued again for a later try (the reason says the last one).
const retrying = (m: { status: string; attempts: number }) => m.status === "queued" && m.attempts > 0;

function MessageDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const message = useMessage(id);
  const m = message.data;
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="xl" title={m?.subject ?? ""}>
      {m && (
        <Stack data-testid="outbox-message">
          <Group gap="xs">
            <Badge color={COLORS[m.status]}>{t(`outbox.statuses.${m.status}`)}</Badge>
            <Text size="sm">{m.to_address}</Text>
            {m.sent_at && <Text size="xs" c="dimmed">{formatDateTime(m.sent_at)}</Text>}
          </Group>
          {m.attempts > 0 && (
            <Text size="sm" data-testid="outbox-tries">
              {t("outbox.tries", { count: m.attempts })}
              {m.reason_code && ` · ${t("outbox.last_code", { code: m.reason_code })}`}
              {retrying(m) && ` · ${t("outbox.next_try", { time: formatDateTime(m.send_after) })}`}
            </Text>
          )}
          {m.reason && <Alert color="orange" data-testid="outbox-reason">{m.reason}</Alert>}
          {m.html ? (
            <Tabs defaultValue="html">
              <Tabs.List>
                <Tabs.Tab value="html">{t("outbox.html")}</Tabs.Tab>
                <Tabs.Tab value="text">{t("outbox.text")}</Tabs.Tab>
                <Tabs.Tab value="headers">{t("outbox.headers")}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="html" pt="sm">
                <iframe title={t("outbox.html")} srcDoc={m.html} sandbox="allow-popups allow-popups-to-escape-sandbox" data-testid="outbox-html"
                  style={{ width: "100%", height: 640, border: "1px solid var(--mantine-color-gray-3)" }} />
              </Tabs.Panel>
              <Tabs.Panel value="text" pt="sm"><Code block data-testid="outbox-text">{m.text}</Code></Tabs.Panel>
              <Tabs.Panel value="headers" pt="sm">
                <Table data-testid="outbox-headers">
                  <Table.Tbody>
                    {m.headers.map(([name, value], i) => (
                      <Table.Tr key={i}><Table.Td fw={600}>{name}</Table.Td><Table.Td style={{ wordBreak: "break-all" }}>{value}</Table.Td></Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Tabs.Panel>
            </Tabs>
          ) : (
            <Text c="dimmed">{t("outbox.no_content")}</Text>
          )}
          {m.html && (
            <Button variant="default" component="a" href={`/api/outbox/${m.id}/raw`} download={`message-${m.id}.eml`} w="fit-content">
              {t("outbox.download")}
            </Button>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

export function OutboxPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [to] = useDebouncedValue(search, 300);
  const [open, setOpen] = useState<number | null>(null);
  const messages = useMessages({ status, to });
  return (
    <Stack>
      <Text size="sm" c="dimmed">{t("outbox.hint")}</Text>
      <Group>
        <TextInput placeholder={t("outbox.search")} value={search} onChange={(e) => setSearch(e.currentTarget.value)} data-testid="outbox-search" w={280} />
        <Select placeholder={t("common.any")} clearable value={status} onChange={setStatus} data-testid="outbox-status" w={200}
          data={STATUSES.map((s) => ({ value: s, label: t(`outbox.statuses.${s}`) }))} />
        <Text size="sm" c="dimmed">{messages.total !== undefined ? t("outbox.total", { count: messages.total }) : ""}</Text>
      </Group>
      <DataTable
        testId="outbox-table"
        rows={messages.items}
        rowKey={(m) => m.id}
        rowProps={(m) => ({ "data-testid": `outbox-row-${m.id}` })}
        onRowClick={(m) => setOpen(m.id)}
        loading={messages.isLoading}
        error={messages.error}
        pager={messages.pager}
        empty={{ message: t("outbox.empty") }}
        columns={[
          { key: "to", header: t("outbox.to"), render: (m) => m.to_address },
          { key: "subject", header: t("emails.subject"), render: (m) => m.subject },
          { key: "status", header: t("outbox.status"), render: (m) => (
            <>
              <Badge color={COLORS[m.status]} variant="light">{t(`outbox.statuses.${m.status}`)}</Badge>
              {m.variant && <Badge ml={4} variant="outline">{m.variant}</Badge>}
            </>
          ) },
          { key: "attempts", header: t("outbox.attempts"), render: (m) => (
            <Text size="sm" data-testid={`outbox-attempts-${m.id}`}>
              {m.attempts}
              {retrying(m) && <Text span size="xs" c="dimmed"> · {t("outbox.next_try", { time: formatDateTime(m.send_after) })}</Text>}
            </Text>
          ) },
          { key: "when", header: t("outbox.when"), render: (m) => formatDateTime(m.sent_at ?? m.created_at) },
        ]}
      />
      <MessageDrawer id={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
