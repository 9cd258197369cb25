import { useTranslation } from "react-i18next";
import { ConditionInput } from "../../components/conditions/ConditionInput";

/** A rule over contact and company fields: conditions, or the rule text in the advanced view,
 * checked by the server as the marketer types. */
export function AttributeRuleInput({ value, onChange, serverError, testId }: {
  value: string;
  onChange: (rule: string) => void;
  serverError?: string;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <ConditionInput label={t("scoring.attribute_rule")} description={t("scoring.attribute_rule_hint")} value={value}
      onChange={onChange} error={serverError} testId={testId} />
  );
}
