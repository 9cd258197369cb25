import { Alert, SegmentedControl, Stack, Text, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Builder } from "../../api/client";
import { buildRule, parseRule, useRuleCheck, useRuleFields } from "../../api/queries/rules";
import { ConditionBuilder, completeOnly } from "../segments/ConditionBuilder";

const EMPTY: Builder = { match: "all", groups: [] };

function positioned(error: ApiError, t: (key: string, options?: Record<string, unknown>) => string): string {
  const position = error.details.position;
  return position != null ? `${error.message} (${t("segments.at_character", { position: Number(position) + 1 })})` : error.message;
}

/** A rule over contact and company fields: the segments' condition builder, or the rule text,
 * checked by the server as the marketer types. */
export function AttributeRuleInput({ value, onChange, serverError, testId }: {
  value: string;
  onChange: (rule: string) => void;
  serverError?: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"builder" | "text">("text");
  const [builder, setBuilder] = useState<Builder | null>(null);
  const [textOnly, setTextOnly] = useState(false);
  const fields = useRuleFields(mode === "builder");

  const [typed] = useDebouncedValue(value, 400);
  const check = useRuleCheck(typed);
  const checkError = typed === value && check.error instanceof ApiError ? positioned(check.error, t) : undefined;

  // Opening the builder reads the current text back into conditions, when it has their shape.
  async function openBuilder() {
    setMode("builder");
    if (!value.trim()) {
      setBuilder(EMPTY);
      setTextOnly(false);
      return;
    }
    try {
      const parsed = await parseRule(value);
      setBuilder(parsed.builder ?? null);
      setTextOnly(parsed.builder == null);
    } catch {
      setBuilder(null);
      setTextOnly(true);
    }
  }

  const [debouncedBuilder] = useDebouncedValue(builder, 300);
  useEffect(() => {
    if (mode !== "builder" || !debouncedBuilder || textOnly) return;
    let cancelled = false;
    buildRule(completeOnly(debouncedBuilder))
      .then(({ rule }) => !cancelled && rule !== value && onChange(rule))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
    // Only a change in the conditions writes the text; the text itself is the rule's source of truth.
  }, [debouncedBuilder, mode, textOnly]);

  return (
    <Stack gap={6}>
      <SegmentedControl
        size="xs"
        w="fit-content"
        value={mode}
        onChange={(next) => (next === "builder" ? void openBuilder() : setMode("text"))}
        data={[{ value: "text", label: t("scoring.rule_text") }, { value: "builder", label: t("scoring.rule_builder") }]}
        data-testid={`${testId}-mode`}
      />
      {mode === "builder" && textOnly && <Alert color="yellow" p="xs">{t("scoring.text_only")}</Alert>}
      {mode === "builder" && !textOnly && builder && fields.data && (
        <ConditionBuilder value={builder} fields={fields.data} segments={[]} onChange={setBuilder} />
      )}
      {mode === "builder" && !textOnly && <Text size="xs" c="dimmed" ff="monospace" data-testid={`${testId}-text`}>{value || "—"}</Text>}
      {mode === "text" && (
        <Textarea
          autosize
          minRows={1}
          styles={{ input: { fontFamily: "monospace" } }}
          label={t("scoring.attribute_rule")}
          description={t("scoring.attribute_rule_hint")}
          placeholder={'job_title =~ "Director"'}
          value={value}
          error={checkError ?? serverError}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid={testId}
        />
      )}
      {mode === "builder" && (checkError ?? serverError) && <Text size="xs" c="red">{checkError ?? serverError}</Text>}
    </Stack>
  );
}
