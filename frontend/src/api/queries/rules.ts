// Rules: the fields a rule can read and the check of a typed rule, shared by the segment, scoring,
// email and journey editors. A journey's conditions have the "journey" scope: they may also ask
// what the contact did in its run (opened the email of a step...).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Builder } from "../client";

export type RuleScope = "contact" | "journey";

export const keys = {
  // The journey editor reads ["rule-fields"] too.
  fields: (scope: RuleScope = "contact") => (scope === "contact" ? ["rule-fields"] : ["rule-fields", scope]) as readonly string[],
  validate: (rule: string, scope: RuleScope) => ["rule-validate", rule, scope] as const,
  parse: (rule: string, scope: RuleScope) => ["rule-parse", rule, scope] as const,
};

export const listFields = (scope: RuleScope = "contact") =>
  unwrap(api.GET("/api/rules/fields", { params: { query: { scope } } }));
export const validateRule = (rule: string, scope: RuleScope = "contact") =>
  unwrap(api.POST("/api/rules/validate", { body: { rule, scope } }));
/** The conditions a rule's text stands for (a null builder when the text has no builder's shape). */
export const parseRule = (rule: string, scope: RuleScope = "contact") =>
  unwrap(api.POST("/api/rules/parse", { body: { rule, scope } }));
export const buildRule = (builder: Builder, scope: RuleScope = "contact") =>
  unwrap(api.POST("/api/rules/build", { body: { builder, scope } }));

export const useRuleFields = (enabled = true, scope: RuleScope = "contact") =>
  useQuery({ queryKey: keys.fields(scope), queryFn: () => listFields(scope), enabled, staleTime: 60_000 });

/** The server's verdict on a typed rule (a refusal is an answer, not retried). */
export const useRuleCheck = (rule: string, scope: RuleScope = "contact") =>
  useQuery({ queryKey: keys.validate(rule, scope), queryFn: () => validateRule(rule, scope), enabled: rule.trim() !== "", retry: false });

/** A rule's conditions, read once per text (the canvas shows them as sentences). */
export const useParsedRule = (rule: string, scope: RuleScope = "contact") =>
  useQuery({ queryKey: keys.parse(rule, scope), queryFn: () => parseRule(rule, scope), enabled: rule.trim() !== "", retry: false, staleTime: Infinity });
