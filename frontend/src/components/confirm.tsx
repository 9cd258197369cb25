import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import i18n from "../i18n";

/** Ask before something that cannot be undone; the red button carries `testId`. A failure of
 * `onConfirm` is shown as a notification. `keep` names the other button by what it keeps
 * ("Keep the registration") where a plain "Cancel" would be ambiguous. */
export function confirmDanger(options: {
  title: string;
  message: string;
  confirm: string;
  keep?: string;
  testId: string;
  onConfirm: () => Promise<void> | void;
}) {
  modals.openConfirmModal({
    title: options.title,
    children: <Text size="sm">{options.message}</Text>,
    labels: { confirm: options.confirm, cancel: options.keep ?? i18n.t("common.cancel") },
    confirmProps: { color: "red", "data-testid": options.testId } as never,
    cancelProps: { "data-testid": `${options.testId}-keep` } as never,
    onConfirm: async () => {
      try {
        await options.onConfirm();
      } catch (error) {
        notifications.show({ color: "red", message: (error as Error).message });
      }
    },
  });
}
