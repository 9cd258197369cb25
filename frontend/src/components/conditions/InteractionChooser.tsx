import { Group, Select, Stack, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { listEmails } from "../../api/queries/emails";
import { listEvents } from "../../api/queries/events";
import { useFormChoices } from "../../api/queries/forms";
import { INTERACTION_TYPES, detailOf, detailsOf, filterOf, type Detail, type DetailKind } from "./interaction";

type Props = {
  interactionType: string;
  filter: string | null;
  onChange: (interactionType: string, filter: string | null) => void;
  testId: string;
  disabled?: boolean;
  vertical?: boolean;
};

// Any other type of interaction (a custom one sent through the API), typed as it is sent.
const OTHER = "__other__";

/** "<interaction> [of <email|form|event> | containing <text> | in <category>]", in words. */
export function InteractionChooser({ interactionType, filter, onChange, testId, disabled, vertical }: Props) {
  const { t } = useTranslation();
  const parsed = detailOf(filter);
  // The kind chosen before its value is typed: no filter yet, but the input must stay.
  const [chosen, setChosen] = useState<DetailKind>(parsed.kind);
  const detail: Detail = filter ? parsed : { kind: chosen, value: "" };
  const kinds = detailsOf(interactionType);
  const emails = useQuery({ queryKey: ["emails"], queryFn: listEmails, enabled: detail.kind === "email" });
  const events = useQuery({ queryKey: ["events", "choices"], queryFn: () => listEvents(""), enabled: detail.kind === "event" });
  const forms = useFormChoices(detail.kind === "form");
  const typeLabel = (type: string) => (INTERACTION_TYPES as readonly string[]).includes(type) ? t(`behaviour.types.${type}`) : type;
  const known = (INTERACTION_TYPES as readonly string[]).includes(interactionType);
  const setType = (type: string) => {
    const keep = detailsOf(type).includes(detail.kind);
    if (!keep) setChosen("none");
    onChange(type, keep ? filter : null);
  };
  const setDetail = (next: Detail) => {
    setChosen(next.kind);
    onChange(interactionType, filterOf(next));
  };
  const options = (rows: { id: number; name: string }[] | undefined) => (rows ?? []).map((r) => ({ value: String(r.id), label: r.name }));
  const Row = vertical ? Stack : Group;
  return (
    <Row gap="xs" align={vertical ? "stretch" : "flex-end"} wrap="wrap">
      <Select
        w={vertical ? "100%" : 230}
        label={t("behaviour.interaction")}
        disabled={disabled}
        searchable
        allowDeselect={false}
        data-testid={`${testId}-type`}
        data={[...INTERACTION_TYPES.map((type) => ({ value: type, label: typeLabel(type) })), { value: OTHER, label: t("behaviour.custom_type") }]}
        value={known ? interactionType : OTHER}
        onChange={(type) => type && setType(type === OTHER ? "" : type)}
      />
      {!known && (
        <TextInput w={vertical ? "100%" : 200} label={t("behaviour.custom_type")} placeholder={t("behaviour.placeholders.type")} disabled={disabled}
          data-testid={`${testId}-custom-type`} value={interactionType} onChange={(e) => setType(e.currentTarget.value.trim())} />
      )}
      <Select
        w={vertical ? "100%" : 210}
        label={t("behaviour.which")}
        disabled={disabled}
        data-testid={`${testId}-detail`}
        allowDeselect={false}
        data={kinds.map((kind) => ({ value: kind, label: t(`behaviour.details.${kind}`) }))}
        value={kinds.includes(detail.kind) ? detail.kind : "custom"}
        onChange={(kind) => kind && setDetail({ kind: kind as Detail["kind"], value: "" })}
      />
      {detail.kind === "email" && (
        <Select w={vertical ? "100%" : 240} label={t("behaviour.details.email")} searchable disabled={disabled} data-testid={`${testId}-value`}
          data={options(emails.data)} value={detail.value || null} onChange={(v) => setDetail({ kind: "email", value: v ?? "" })} />
      )}
      {detail.kind === "event" && (
        <Select w={vertical ? "100%" : 240} label={t("behaviour.details.event")} searchable disabled={disabled} data-testid={`${testId}-value`}
          data={options(events.data?.items)} value={detail.value || null} onChange={(v) => setDetail({ kind: "event", value: v ?? "" })} />
      )}
      {detail.kind === "form" && (
        <Select w={vertical ? "100%" : 240} label={t("behaviour.details.form")} searchable disabled={disabled} data-testid={`${testId}-value`}
          data={options(forms.data)} value={detail.value || null} onChange={(v) => setDetail({ kind: "form", value: v ?? "" })} />
      )}
      {(detail.kind === "url" || detail.kind === "category" || detail.kind === "custom") && (
        <TextInput
          w={vertical ? "100%" : 240}
          label={t(`behaviour.details.${detail.kind}`)}
          placeholder={t(`behaviour.placeholders.${detail.kind}`)}
          disabled={disabled}
          data-testid={`${testId}-value`}
          value={detail.value}
          onChange={(e) => setDetail({ kind: detail.kind, value: e.currentTarget.value })}
        />
      )}
    </Row>
  );
}
