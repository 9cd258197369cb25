import { ActionIcon, Badge, Button, Group, NumberInput, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { gradeColor, type Draft } from "./model";

type Grades = Draft["grades"];

/** Each band runs from its minimum up to the next higher one; the list keeps the order typed, so a
 * band being edited does not jump away, and the hint below says how they read once sorted. */
export function GradeBandsEditor({ grades, onChange, errorOf }: {
  grades: Grades;
  onChange: (next: Grades) => void;
  errorOf: (field: string) => string | undefined;
}) {
  const { t } = useTranslation();
  const set = (index: number, band: Grades[number]) => onChange(grades.map((g, i) => (i === index ? band : g)));
  // The bands as they read once sorted; hidden while two of them clash.
  const clash = grades.some((_, i) => errorOf(`grades[${i}].min`) || errorOf(`grades[${i}].grade`));
  const sorted = clash ? [] : [...grades].sort((a, b) => a.min - b.min);
  return (
    <Stack gap="xs" data-testid="scoring-grades">
      {grades.map((band, i) => (
        <Group key={i} gap="xs" align="flex-start" wrap="nowrap" data-testid={`scoring-grade-${i}`}>
          <TextInput
            w={110}
            aria-label={t("scoring.grade_name")}
            placeholder={t("scoring.grade_name")}
            value={band.grade}
            maxLength={8}
            error={errorOf(`grades[${i}].grade`)}
            onChange={(e) => set(i, { ...band, grade: e.currentTarget.value })}
            data-testid={`scoring-grade-${i}-name`}
          />
          <NumberInput
            w={160}
            aria-label={t("scoring.grade_min")}
            prefix="≥ "
            min={0}
            allowDecimal={false}
            allowNegative={false}
            value={band.min}
            error={errorOf(`grades[${i}].min`)}
            onChange={(v) => set(i, { ...band, min: typeof v === "number" ? v : Number.NaN })}
            data-testid={`scoring-grade-${i}-min`}
          />
          <Tooltip label={t("scoring.grade_remove")}>
            <ActionIcon variant="subtle" color="red" mt={4} disabled={grades.length <= 1} aria-label={t("scoring.grade_remove")}
              onClick={() => onChange(grades.filter((_, j) => j !== i))} data-testid={`scoring-grade-${i}-remove`}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      {errorOf("grades") && <Text size="xs" c="red" data-testid="scoring-grades-error">{errorOf("grades")}</Text>}
      <Group gap={4}>
        {sorted.map((band, i) => (
          <Badge key={`${band.grade}-${i}`} variant="light" color={gradeColor(band.grade, grades)}>
            {band.grade}: {band.min}
            {sorted[i + 1] ? `–${sorted[i + 1].min - 1}` : "+"}
          </Badge>
        ))}
      </Group>
      <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} data-testid="scoring-grade-add"
        onClick={() => onChange([...grades, { grade: "", min: Math.max(0, ...grades.map((g) => (Number.isInteger(g.min) ? g.min : 0))) + 10 }])}>
        {t("scoring.grade_add")}
      </Button>
    </Stack>
  );
}
