import { Alert, Button, Card, Checkbox, Group, MultiSelect, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { campaignAudience, createCampaign, keys as campaignKeys } from "../../api/queries/campaigns";
import { useEmails } from "../../api/queries/emails";
import { useSegments } from "../../api/queries/segments";
import { AudienceConfirm } from "../../components/AudienceConfirm";
import { formatNumber } from "../../components/format";

type Variable = "subject" | "from_name" | "content";
type Variant = { key: "A" | "B" | "C" | "D"; subject: string; from_name: string; email_id: string | null };
const KEYS = ["A", "B", "C", "D"] as const;

export function NewCampaignPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const emails = useEmails();
  const segments = useSegments();
  const [emailId, setEmailId] = useState<string | null>(params.get("email"));
  const [name, setName] = useState("");
  const [include, setInclude] = useState<string[]>([]);
  const [exclude, setExclude] = useState<string[]>([]);
  const [later, setLater] = useState(false);
  const [sendAt, setSendAt] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [variable, setVariable] = useState<Variable>("subject");
  const [variants, setVariants] = useState<Variant[]>([
    { key: "A", subject: "", from_name: "", email_id: null },
    { key: "B", subject: "", from_name: "", email_id: null },
  ]);
  const [sample, setSample] = useState(20);
  const [metric, setMetric] = useState<"opens" | "clicks">("opens");
  const [waitHours, setWaitHours] = useState(4);
  const [keepSplit, setKeepSplit] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [audience, setAudience] = useState<Schemas["CampaignAudience"] | null>(null);

  const segmentOptions = (segments.data ?? []).map((s) => ({ value: String(s.id), label: `${s.name} (${formatNumber(s.member_count)})` }));
  const emailOptions = (emails.data ?? []).map((e) => ({ value: String(e.id), label: e.name }));
  const chosen = emails.data?.find((e) => String(e.id) === emailId);

  function setVariant(index: number, patch: Partial<Variant>) {
    setVariants(variants.map((v, i) => (i === index ? { ...v, ...patch } : v)));
  }

  function body(): Schemas["CampaignIn"] {
    const ab: Schemas["AbTest"] | null = testing
      ? {
          variable,
          sample_percent: sample,
          metric,
          wait_minutes: Math.round(waitHours * 60),
          keep_split: keepSplit,
          variants: variants.map((v) => ({
            key: v.key,
            subject: variable === "subject" ? v.subject : null,
            from_name: variable === "from_name" ? v.from_name : null,
            email_id: variable === "content" ? (v.email_id ? Number(v.email_id) : null) : null,
          })),
        }
      : null;
    return {
      email_id: Number(emailId), name: name || null, segment_ids: include.map(Number), exclude_segment_ids: exclude.map(Number),
      send_at: later && sendAt ? new Date(sendAt).toISOString() : null, ab_test: ab,
    };
  }

  async function attempt(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setAudience(null);
      setError(e instanceof ApiError ? e : new ApiError((e as Error).message, 0));
    } finally {
      setBusy(false);
    }
  }

  // Sending cannot be undone: the marketer sees who it reaches (and who not, and why) first.
  const review = () => attempt(async () => setAudience(await campaignAudience(body())));
  const send = () => attempt(async () => {
    const created = await createCampaign(body());
    void queries.invalidateQueries({ queryKey: campaignKeys.all });
    navigate(`/emails/campaigns/${created.id}`);
  });

  return (
    <Stack maw={900}>
      <Title order={3}>{t("campaigns.new")}</Title>
      {error && <Alert color="red" data-testid="campaign-error">{error.message}</Alert>}
      <Card withBorder>
        <Stack>
          <Select label={t("campaigns.email")} searchable data={emailOptions} value={emailId} onChange={setEmailId} data-testid="campaign-email" />
          <TextInput label={t("campaigns.name")} placeholder={chosen?.name} value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="campaign-name" />
          <MultiSelect label={t("campaigns.to_segments")} searchable data={segmentOptions} value={include} onChange={setInclude} data-testid="campaign-segments" />
          <MultiSelect label={t("campaigns.except_segments")} searchable clearable data={segmentOptions} value={exclude} onChange={setExclude} data-testid="campaign-exclude" />
          <Switch label={t("campaigns.schedule")} checked={later} onChange={(e) => setLater(e.currentTarget.checked)} data-testid="campaign-later" />
          {later && <DateTimePicker label={t("campaigns.send_at")} value={sendAt} onChange={setSendAt} minDate={new Date()} data-testid="campaign-send-at" w={280} />}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Checkbox label={t("campaigns.ab_test")} description={t("campaigns.ab_hint")} checked={testing} onChange={(e) => setTesting(e.currentTarget.checked)} data-testid="campaign-ab" />
          {testing && (
            <>
              <SegmentedControl value={variable} onChange={(v) => setVariable(v as Variable)} data-testid="ab-variable"
                data={(["subject", "from_name", "content"] as const).map((v) => ({ value: v, label: t(`campaigns.variables.${v}`) }))} />
              {variants.map((variant, i) => (
                <Group key={variant.key} align="flex-end">
                  <Text fw={700} w={24}>{variant.key}</Text>
                  {variable === "subject" && <TextInput flex={1} label={t("emails.subject")} value={variant.subject} onChange={(e) => setVariant(i, { subject: e.currentTarget.value })} data-testid={`ab-variant-${variant.key}`} />}
                  {variable === "from_name" && <TextInput flex={1} label={t("emails.from_name")} value={variant.from_name} onChange={(e) => setVariant(i, { from_name: e.currentTarget.value })} data-testid={`ab-variant-${variant.key}`} />}
                  {variable === "content" && <Select flex={1} label={t("campaigns.email")} data={emailOptions} value={variant.email_id} onChange={(v) => setVariant(i, { email_id: v })} data-testid={`ab-variant-${variant.key}`} />}
                </Group>
              ))}
              <Group>
                {variants.length < 4 && <Button size="xs" variant="light" onClick={() => setVariants([...variants, { key: KEYS[variants.length], subject: "", from_name: "", email_id: null }])} data-testid="ab-add-variant">{t("campaigns.add_variant")}</Button>}
                {variants.length > 2 && <Button size="xs" variant="subtle" color="red" onClick={() => setVariants(variants.slice(0, -1))}>{t("campaigns.remove_variant")}</Button>}
              </Group>
              <Switch label={t("campaigns.keep_split")} checked={keepSplit} onChange={(e) => setKeepSplit(e.currentTarget.checked)} data-testid="ab-keep-split" />
              {!keepSplit && (
                <SimpleGrid cols={3}>
                  <NumberInput label={t("campaigns.sample")} suffix=" %" min={5} max={50} value={sample} onChange={(v) => setSample(Number(v) || 20)} data-testid="ab-sample" />
                  <Select label={t("campaigns.metric")} value={metric} onChange={(v) => v && setMetric(v as "opens" | "clicks")} allowDeselect={false}
                    data={[{ value: "opens", label: t("campaigns.metrics.opens") }, { value: "clicks", label: t("campaigns.metrics.clicks") }]} data-testid="ab-metric" />
                  <NumberInput label={t("campaigns.wait")} suffix={` ${t("campaigns.hours")}`} min={0.1} max={168} step={0.5} decimalScale={1} value={waitHours} onChange={(v) => setWaitHours(Number(v) || 4)} data-testid="ab-wait" />
                </SimpleGrid>
              )}
            </>
          )}
        </Stack>
      </Card>
      <Group justify="flex-end">
        <Button onClick={() => void review()} loading={busy} disabled={!emailId || include.length === 0} data-testid="campaign-send">
          {later ? t("campaigns.schedule_send") : t("campaigns.send_now")}
        </Button>
      </Group>
      <AudienceConfirm
        kind="campaign"
        audience={audience && { ...audience, reached: audience.receiving }}
        confirmLabel={t(later ? "audience.campaign.confirm_later" : "audience.campaign.confirm", {
          count: audience?.receiving ?? 0,
          formatted: formatNumber(audience?.receiving ?? 0),
        })}
        busy={busy}
        onCancel={() => setAudience(null)}
        onConfirm={() => void send()}
      />
    </Stack>
  );
}
