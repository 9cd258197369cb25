import { ConditionInput } from "../../components/conditions/ConditionInput";
import type { Option } from "../../components/conditions/ConditionBuilder";
import type { RuleScope } from "../../api/queries/rules";
import { useLookups } from "../lookups";

type Props = {
  label: string;
  value: string;
  onChange: (rule: string) => void;
  error?: string;
  testId: string;
  disabled?: boolean;
  /** "journey" inside the journey's steps: conditions may ask what the contact did in its run. */
  scope?: RuleScope;
};

const options = <K,>(names: Map<K, string>): Option[] => [...names].map(([value, label]) => ({ value: String(value), label }));

/** A rule in the side panel: conditions stacked field, operator, value (the panel is narrow), or
 * its text in the advanced view. Inside a journey the email steps are offered by their names. */
export function RuleInput({ label, value, onChange, error, testId, disabled, scope = "contact" }: Props) {
  const lookups = useLookups();
  const pickers = {
    segments: options(lookups.segments),
    events: options(lookups.events),
    steps: scope === "journey" ? options(lookups.emailSteps) : [],
  };
  return (
    <ConditionInput label={label} value={value} onChange={onChange} error={error} testId={testId} disabled={disabled}
      scope={scope} pickers={pickers} vertical />
  );
}
