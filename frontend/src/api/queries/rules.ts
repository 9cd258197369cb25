// Rules: the fields a rule can read and the check of a typed rule, shared by the segment, scoring
// and journey editors.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Builder } from "../client";

export const keys = {
  // The journey editor reads ["rule-fields"] too.
  fields: ["rule-fields"] as const,
  validate: (rule: string) => ["rule-validate", rule] as const,
};

export const listFields = () => unwrap(api.GET("/api/rules/fields"));
export const validateRule = (rule: string) => unwrap(api.POST("/api/rules/validate", { body: { rule } }));
/** The conditions a rule's text stands for (a null builder when the text has no builder's shape). */
export const parseRule = (rule: string) => unwrap(api.POST("/api/rules/parse", { body: { rule } }));
export const buildRule = (builder: Builder) => unwrap(api.POST("/api/rules/build", { body: { builder } }));

export const useRuleFields = (enabled = true) => useQuery({ queryKey: keys.fields, queryFn: listFields, enabled });

/** The server's verdict on a typed rule (a refusal is an answer, not retried). */
export const useRuleCheck = (rule: string) =>
  useQuery({ queryKey: keys.validate(rule), queryFn: () => validateRule(rule), enabled: rule.trim() !== "", retry: false });
