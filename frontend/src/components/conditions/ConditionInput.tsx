import { Alert, Group, SegmentedControl, Stack, Text, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Builder } from "../../api/client";
import { buildRule, parseRule, useRuleCheck, useRuleFields, type RuleScope } from "../../api/queries/rules";
import { ConditionBuilder, completeOnly, type Option, type Pickers } from "./ConditionBuilder";
import { builderSentence, type Names } from "./sentence";

const EMPTY: Builder = { match: "all", groups: [] };

type Props = {
  label: string;
  value: string;
  onChange: (rule: string) => void;
  /** `<testId>` is the rule text, `<testId>-mode` the switch, `<testId>-builder` the conditions. */
  testId: string;
  scope?: RuleScope;
  pickers?: Pickers;
  vertical?: boolean;
  error?: string;
  disabled?: boolean;
  description?: string;
};

function positioned(error: ApiError, t: (key: string, options?: Record<string, unknown>) => string): string {
  const position = error.details.position;
  return position != null ? `${error.message} (${t("segments.at_character", { position: Number(position) + 1 })})` : error.message;
}

const named = <K,>(options: Option[] | undefined, key: (v: string) => K) => new Map((options ?? []).map((o) => [key(o.value), o.label]));

/** A rule written as conditions (field, operator in words, value from its choices), or as rule text
 * in the advanced view; each is kept in sync with the other through the server. A text the
 * conditions cannot show stays text, with a word saying why. */
export function ConditionInput({ label, value, onChange, testId, scope = "contact", pickers = {}, vertical, error, disabled, description }: Props) {
  const { t, i18n } = useTranslation();
  const [mode, setMode] = useState<"builder" | "text">("builder");
  const [builder, setBuilder] = useState<Builder | null>(null);
  const [textOnly, setTextOnly] = useState(false);
  const touched = useRef(false); // only the marketer's changes to the conditions rewrite the text
  const fields = useRuleFields(true, scope);

  const [typed] = useDebouncedValue(value.trim(), 400);
  const check = useRuleCheck(typed, scope);
  const checkError = typed && typed === value.trim() && check.error instanceof ApiError ? positioned(check.error, t) : undefined;
  const shownError = error ?? checkError;

  async function read(text: string): Promise<boolean> {
    touched.current = false;
    if (!text.trim()) {
      setBuilder(EMPTY);
      setTextOnly(false);
      return true;
    }
    try {
      const parsed = await parseRule(text, scope);
      setBuilder(parsed.builder ?? null);
      setTextOnly(parsed.builder == null);
      return parsed.builder != null;
    } catch {
      setBuilder(null);
      setTextOnly(true);
      return false;
    }
  }

  useEffect(() => {
    void read(value).then((readable) => setMode(readable ? "builder" : "text"));
    // Read once, when the field opens: afterwards each view writes the other.
  }, []);

  const [debounced] = useDebouncedValue(builder, 300);
  useEffect(() => {
    if (mode !== "builder" || !debounced || !touched.current) return;
    let cancelled = false;
    buildRule(completeOnly(debounced), scope)
      .then(({ rule }) => !cancelled && rule !== value && onChange(rule))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [debounced, mode]);

  const names: Names = useMemo(() => ({
    segments: named(pickers.segments, Number),
    events: named(pickers.events, Number),
    steps: named(pickers.steps, String),
  }), [pickers.segments, pickers.events, pickers.steps]);
  const complete = builder ? completeOnly(builder) : null;
  const sentence = complete && fields.data && complete.groups.length ? builderSentence(complete, fields.data, t, i18n.language, names) : "";

  return (
    <Stack gap={6}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>{label}</Text>
        <SegmentedControl
          size="xs"
          value={mode}
          disabled={disabled}
          onChange={(next) => (next === "builder" ? void read(value).then((readable) => setMode(readable ? "builder" : "text")) : setMode("text"))}
          data={[{ value: "builder", label: t("conditions.builder") }, { value: "text", label: t("conditions.advanced") }]}
          data-testid={`${testId}-mode`}
          aria-label={t("conditions.view")}
        />
      </Group>
      {description && <Text size="xs" c="dimmed">{description}</Text>}
      {textOnly && <Alert color="yellow" p="xs" data-testid={`${testId}-text-only`}>{t("conditions.text_only")}</Alert>}
      {mode === "builder" && builder && fields.data && (
        <>
          <ConditionBuilder value={builder} fields={fields.data} pickers={pickers} readOnly={disabled} vertical={vertical} testId={`${testId}-builder`}
            onChange={(next) => {
              touched.current = true;
              setBuilder(next);
            }} />
          {sentence && <Text size="xs" c="dimmed" data-testid={`${testId}-sentence`}>{sentence}</Text>}
        </>
      )}
      {mode === "text" && (
        <Textarea
          autosize
          minRows={2}
          aria-label={label}
          description={t("conditions.text_hint")}
          styles={{ input: { fontFamily: "monospace" } }}
          value={value}
          disabled={disabled}
          error={shownError}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid={testId}
        />
      )}
      {mode === "builder" && shownError && <Text size="xs" c="red" data-testid={`${testId}-error`}>{shownError}</Text>}
    </Stack>
  );
}
