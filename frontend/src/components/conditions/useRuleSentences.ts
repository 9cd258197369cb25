import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { keys, parseRule, useRuleFields, type RuleScope } from "../../api/queries/rules";
import { builderSentence, type Names } from "./sentence";

/** Each rule text as a sentence (a rule the builder cannot read stays as written). */
export function useRuleSentences(rules: string[], scope: RuleScope, names: Names): Map<string, string> {
  const { t, i18n } = useTranslation();
  const fields = useRuleFields(rules.length > 0, scope);
  const texts = [...new Set(rules.filter((r) => r.trim()))];
  const parsed = useQueries({
    queries: texts.map((rule) => ({ queryKey: keys.parse(rule, scope), queryFn: () => parseRule(rule, scope), retry: false, staleTime: Infinity })),
  });
  const builders = parsed.map((p) => p.data?.builder ?? null);
  const key = JSON.stringify([texts, builders]);
  return useMemo(() => {
    const found = new Map<string, string>();
    if (!fields.data) return found;
    texts.forEach((rule, i) => {
      const builder = builders[i];
      if (builder && builder.groups.length) found.set(rule, builderSentence(builder, fields.data, t, i18n.language, names));
    });
    return found;
    // `key` stands for the texts and their builders.
  }, [key, fields.data, t, i18n.language, names]);
}
