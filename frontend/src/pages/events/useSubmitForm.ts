import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";

/** The small add-forms of the event tabs (a cost line, a team member): send, show "sending",
 * and put the server's refusal under the field it names, or in `otherError` when it names none
 * of `fields`. */
export function useSubmitForm(fields: readonly string[]) {
  const [error, setError] = useState<Error | null>(null);
  const [sending, setSending] = useState(false);
  const onField = error instanceof ApiError && fields.includes(error.field ?? "");

  const fieldError = (field: string) => (error instanceof ApiError && error.field === field ? error.message : undefined);

  /** A form's onSubmit that runs `send` (which clears the form when it succeeds). */
  const submitWith = (send: () => Promise<unknown>) => async (e: FormEvent) => {
    e.preventDefault();
    setSending(true);
    setError(null);
    try {
      await send();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setSending(false);
    }
  };

  return { sending, fieldError, otherError: onField ? null : error, setError, submitWith };
}
