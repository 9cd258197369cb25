import { Anchor } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { keys } from "../../api/queries/programs";

/** "Program: X" on a journey's, campaign's or event's own screen, when it belongs to one. */
export function ProgramLink({ kind, id }: { kind: "journey" | "campaign" | "event"; id: number }) {
  const { t } = useTranslation();
  const program = useQuery({
    queryKey: [...keys.all, "of", kind, id],
    queryFn: () => unwrap(api.GET("/api/programs/of/{kind}/{item_id}", { params: { path: { kind, item_id: id } } })),
  });
  if (!program.data) return null;
  return (
    <Anchor component={Link} to="/plan" size="sm" data-testid={`${kind}-program`}>
      {t("plan.program_of", { name: program.data.name })}
    </Anchor>
  );
}
