import { Anchor, Button, Group, List, Modal, Stack, Table, Text } from "@mantine/core";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "./format";

type LeftOut = Schemas["LeftOut"];

/** A reason a contact was left out (a stable code from the API), in the marketer's words. */
export const reasonLabel = (t: TFunction, code: string) => t(`audience.reasons.${code}`, { defaultValue: code });

/** Left-out counts by reason, in words; each row opens its contacts when `onOpen` is given. */
export function LeftOutTable({ leftOut, testId, onOpen }: { leftOut: LeftOut[]; testId: string; onOpen?: (reason: string) => void }) {
  const { t } = useTranslation();
  if (leftOut.length === 0) return null;
  return (
    <Table data-testid={testId} withRowBorders={false} verticalSpacing={4}>
      <Table.Tbody>
        {leftOut.map((row) => (
          <Table.Tr key={row.reason} data-testid={`${testId}-${row.reason}`}>
            <Table.Td w={56} ta="right" fw={700}>{formatNumber(row.count)}</Table.Td>
            <Table.Td>
              {onOpen ? (
                <Anchor component="button" type="button" size="sm" onClick={() => onOpen(row.reason)} data-testid={`${testId}-open-${row.reason}`}>
                  {reasonLabel(t, row.reason)}
                </Anchor>
              ) : (
                <Text size="sm">{reasonLabel(t, row.reason)}</Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A few contacts, each linking to its page. */
export function PeopleList({ people, testId }: { people: Schemas["Someone"][]; testId: string }) {
  return (
    <List size="sm" data-testid={testId}>
      {people.map((p) => (
        <List.Item key={p.id}>
          <Anchor component={Link} to={`/contacts/${p.id}`} size="sm">{p.name || p.email}</Anchor>
          {p.name && <Text span size="sm" c="dimmed"> · {p.email}</Text>}
        </List.Item>
      ))}
    </List>
  );
}

export type AudiencePreview = {
  total: number;
  /** Those who would enter (a journey) or receive (a campaign). */
  reached: number;
  left_out: LeftOut[];
  first_send_at: string | null;
  sample: Schemas["Someone"][];
  entries_over_time?: boolean;
  /** A journey's first email, judged by the send-time rules for those entering. */
  first_email?: Schemas["FirstEmail"] | null;
  /** When a journey's entries start (its start date, or now). */
  enters_at?: string;
};

type Props = {
  kind: "journey" | "campaign";
  audience: AudiencePreview | null;
  /** The confirm button's words, naming the consequence ("Send to 62 contacts"). */
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
};

/** Before publishing a journey or sending a campaign: how many it reaches, who it leaves out and
 * why, when the first message goes, and a few of the recipients. Cancel changes nothing. */
export function AudienceConfirm({ kind, audience, confirmLabel, busy, onConfirm, onCancel }: Props) {
  const { t } = useTranslation();
  const reachedId = kind === "journey" ? "audience-entering" : "audience-receiving";
  return (
    <Modal opened={audience !== null} onClose={onCancel} title={t(`audience.${kind}.title`)} size="lg">
      {audience && (
        <Stack data-testid="audience-confirm-dialog">
          {audience.entries_over_time ? (
            <Text size="sm" data-testid="audience-over-time">{t("audience.journey.over_time")}</Text>
          ) : (
            <>
              <Text size="sm" data-testid="audience-total" data-count={audience.total}>
                {t(`audience.${kind}.total`, { count: audience.total, formatted: formatNumber(audience.total) })}
              </Text>
              <Text fw={700} data-testid={reachedId} data-count={audience.reached}>
                {t(`audience.${kind}.reached`, { count: audience.reached, formatted: formatNumber(audience.reached) })}
              </Text>
            </>
          )}
          {audience.left_out.length > 0 && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>{t("audience.left_out_title")}</Text>
              <LeftOutTable leftOut={audience.left_out} testId="audience-left-out" />
            </Stack>
          )}
          {audience.first_email && (
            <Stack gap={4} data-testid="audience-first-email">
              <Text size="sm" fw={600}>
                {t("audience.journey.first_email", { count: audience.first_email.receiving, formatted: formatNumber(audience.first_email.receiving) })}
              </Text>
              <LeftOutTable leftOut={audience.first_email.left_out} testId="audience-first-email-left-out" />
            </Stack>
          )}
          {audience.enters_at && new Date(audience.enters_at).getTime() > Date.now() + 60_000 && (
            <Text size="sm" data-testid="audience-enters-at">{t("audience.journey.enters_at", { when: formatDateTime(audience.enters_at) })}</Text>
          )}
          {audience.first_send_at && (
            <Text size="sm" data-testid="audience-first-send">{t("audience.first_send", { when: formatDateTime(audience.first_send_at) })}</Text>
          )}
          {audience.sample.length > 0 && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>{t("audience.sample")}</Text>
              <PeopleList people={audience.sample} testId="audience-sample" />
            </Stack>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} data-testid="audience-cancel">{t("common.cancel")}</Button>
            <Button onClick={onConfirm} loading={busy} data-testid="audience-confirm">{confirmLabel}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
