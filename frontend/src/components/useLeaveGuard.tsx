import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useEffect, useRef } from "react";
import { useBlocker } from "react-router";

export type LeaveTexts = { title: string; warning: string; leave: string; stay: string };

/** While `dirty`, ask before leaving: closing the tab, the browser's back button, or any link in
 * the app (the side menu included). Staying keeps every change on screen. `leaveWithoutAsking` lets the
 * page's own navigation after a save or a delete through. */
export function useLeaveGuard(dirty: boolean, texts: LeaveTexts) {
  // Set just before a navigation the page itself makes after saving (its state is not re-rendered yet).
  const saved = useRef(false);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => {
    if (saved.current) {
      saved.current = false;
      return false;
    }
    return dirty && currentLocation.pathname !== nextLocation.pathname;
  });

  const latest = useRef({ blocker, texts });
  latest.current = { blocker, texts };

  useEffect(() => {
    if (blocker.state !== "blocked") return;
    const { texts } = latest.current;
    let answered = false;
    modals.openConfirmModal({
      title: texts.title,
      children: <Text size="sm">{texts.warning}</Text>,
      labels: { confirm: texts.leave, cancel: texts.stay },
      confirmProps: { color: "red", "data-testid": "leave-confirm" } as never,
      cancelProps: { "data-testid": "leave-stay" } as never,
      onConfirm: () => {
        answered = true;
        latest.current.blocker.proceed?.();
      },
      onClose: () => {
        if (!answered) latest.current.blocker.reset?.();
      },
    });
  }, [blocker.state]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  return { leaveWithoutAsking: () => void (saved.current = true) };
}
