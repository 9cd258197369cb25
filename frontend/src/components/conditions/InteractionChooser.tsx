import { Autocomplete, Group, Select, Stack, TextInput } from "@mantine/core";
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
  const setDetail = (next: Detail) => {
    setChosen(next.kind);
    onChange(interactionType, filterOf(next));
  };
  const options = (rows: { id: number; name: string }[] | undefined) => (rows ?? []).map((r) => ({ value: String(r.id), label: r.name }));
  const Row = vertical ? Stack : Group;
  return (
    <Row gap="xs" align={vertical ? "stretch" : "flex-end"} wrap="wrap">
      <Autocomplete
        w={vertical ? "100%" : 230}
        label={t("behaviour.interaction")}
        disabled={disabled}
        data-testid={`${testId}-type`}
        data={INTERACTION_TYPES.map((type) => ({ value: type, label: typeLabel(type) }))}
        value={interactionType}
        description={(INTERACTION_TYPES as readonly string[]).includes(interactionType) ? typeLabel(interactionType) : t("behaviour.custom_type")}
        onChange={(type) => {
          if (!detailsOf(type).includes(detail.kind)) setChosen("none");
          onChange(type.trim(), detailsOf(type).includes(detail.kind) ? filter : null);
        }}
      />
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
