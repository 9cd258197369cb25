import { Drawer, Loader, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { journeyLeftOut } from "../api/queries/journeys";
import { PeopleList, reasonLabel } from "../components/AudienceConfirm";

export type LeftOutPick = { reason: string; nodeId?: string } | null;

/** The contacts a journey left out for one reason (at its entry, or at a step), each linking to its page. */
export function LeftOutDrawer({ journeyId, pick, onClose }: { journeyId: number; pick: LeftOutPick; onClose: () => void }) {
  const { t } = useTranslation();
  const people = useQuery({
    queryKey: ["journey-left-out", journeyId, pick?.reason, pick?.nodeId],
    queryFn: () => journeyLeftOut(journeyId, pick!.reason, pick!.nodeId),
    enabled: pick !== null,
  });
  return (
    <Drawer opened={pick !== null} onClose={onClose} position="right" title={pick ? reasonLabel(t, pick.reason) : ""} data-testid="journey-left-out-drawer">
      {people.isLoading ? <Loader size="sm" /> : people.data && people.data.length > 0
        ? <PeopleList people={people.data} testId="journey-left-out-people" />
        : <Text c="dimmed" size="sm">{t("journeys.stats.left_out_none")}</Text>}
    </Drawer>
  );
}
