// A pattern for a field's answers (advanced): what it means in plain words, a few ready-made
// ones, and a box to try an answer against it as it is typed.
import { Anchor, Badge, Button, Collapse, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { testPattern } from "./model";

const READY = { postcode_fr: "[0-9]{5}", letters: "[A-Za-zÀ-ÿ' -]+", digits: "[0-9]+", code: "[A-Z]{3}-[0-9]{4}" } as const;

export function PatternInput({ value, error, onChange }: { value: string | null; error?: string; onChange: (pattern: string | null) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(Boolean(value));
  const [sample, setSample] = useState("");
  const pattern = value ?? "";
  const check = pattern ? testPattern(pattern, sample) : null;
  return (
    <Stack gap={4}>
      <Anchor component="button" type="button" size="sm" fw={600} ta="left" onClick={() => setOpen((o) => !o)} aria-expanded={open}
        data-testid="field-pattern-toggle">
        {t("forms.pattern.toggle")}
      </Anchor>
      <Collapse in={open}>
        <Stack gap="xs">
          <Text size="xs" c="dimmed">{t("forms.pattern.explain")}</Text>
          <TextInput label={t("forms.pattern.label")} value={pattern} data-testid="field-pattern"
            error={error ?? (check && !check.valid ? t("forms.pattern.invalid") : undefined)}
            styles={{ input: { fontFamily: "monospace" } }} onChange={(e) => onChange(e.currentTarget.value || null)} />
          <Group gap={4}>
            <Text size="xs">{t("forms.pattern.ready")}</Text>
            {(Object.keys(READY) as (keyof typeof READY)[]).map((key) => (
              <Button key={key} size="compact-xs" variant="light" onClick={() => onChange(READY[key])} data-testid={`field-pattern-ready-${key}`}>
                {t(`forms.pattern.examples.${key}`)}
              </Button>
            ))}
          </Group>
          <Group align="flex-end" gap="xs">
            <TextInput label={t("forms.pattern.try")} description={t("forms.pattern.try_hint")} value={sample} style={{ flex: 1 }}
              onChange={(e) => setSample(e.currentTarget.value)} data-testid="field-pattern-sample" disabled={!pattern} />
            <div aria-live="polite" data-testid="field-pattern-result">
              {check?.valid && check.matches !== null && (
                <Badge color={check.matches ? "green" : "red"} variant="light" mb={6}>
                  {t(check.matches ? "forms.pattern.accepted" : "forms.pattern.refused")}
                </Badge>
              )}
            </div>
          </Group>
        </Stack>
      </Collapse>
    </Stack>
  );
}
