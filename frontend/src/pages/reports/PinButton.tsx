import { Button } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPin } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useTileChanges, type TileIn } from "../../api/queries/reports_home";

/** Pins a report (its path, its query, how to show it) onto the user's Home. Sits next to the
 * CsvButton: `<PinButton report="/api/reports/leaderboard" params={...} title="..." view="table" />`. */
export function PinButton({ report, params = {}, title, view = "table", testId = "pin-to-home" }: {
  report: string;
  params?: TileIn["params"];
  title: string;
  view?: TileIn["view"];
  testId?: string;
}) {
  const { t } = useTranslation();
  const { pin } = useTileChanges();
  const onPin = () =>
    pin.mutate(
      { report, params, title, view },
      {
        onSuccess: () => notifications.show({ message: t("home.pin.done", { title }) }),
        onError: (error) => notifications.show({ color: "red", message: error.message }),
      },
    );
  return (
    <Button variant="default" size="xs" leftSection={<IconPin size={14} />} loading={pin.isPending} onClick={onPin} data-testid={testId}>
      {t("home.pin.button")}
    </Button>
  );
}
