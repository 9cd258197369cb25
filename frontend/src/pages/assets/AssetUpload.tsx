// Uploading images: dropped on the zone or chosen with its button, sent one after the other with
// their progress; each refused file is named with its reason, the others are kept.
import { Button, Group, List, Progress, Stack, Text } from "@mantine/core";
import { Dropzone, type FileRejection } from "@mantine/dropzone";
import { IconPhoto, IconUpload, IconX } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ASSET_TYPES, MAX_ASSET_MB, keys, uploadAsset } from "../../api/queries/assets";

type Refused = { name: string; reason: string };

export function AssetUpload() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const openRef = useRef<() => void>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [refused, setRefused] = useState<Refused[]>([]);
  const [uploaded, setUploaded] = useState(0);

  const send = async (files: File[], rejected: Refused[]) => {
    setRefused(rejected);
    setUploaded(0);
    if (!files.length) return;
    setProgress({ done: 0, total: files.length });
    let kept = 0;
    for (const [index, file] of files.entries()) {
      try {
        await uploadAsset(file);
        kept += 1;
      } catch (error) {
        rejected = [...rejected, { name: file.name, reason: error instanceof Error ? error.message : t("common.unexpected") }];
        setRefused(rejected);
      }
      setProgress({ done: index + 1, total: files.length });
    }
    // The list is read again before the count is told, so "added" comes with the new cards shown.
    await client.invalidateQueries({ queryKey: keys.all });
    setUploaded(kept);
    setProgress(null);
  };

  const reasonOf = (rejection: FileRejection) =>
    rejection.errors.some((e) => e.code === "file-too-large") ? t("assets.too_large", { mb: MAX_ASSET_MB }) : t("assets.wrong_type");

  return (
    <Stack gap="xs">
      <Dropzone
        openRef={openRef}
        // Accepted and refused files of one drop, together (onDrop and onReject would each see half).
        onDrop={() => undefined}
        onDropAny={(files, rejections) => void send(files, rejections.map((r) => ({ name: r.file.name, reason: reasonOf(r) })))}
        maxSize={MAX_ASSET_MB * 1024 * 1024}
        accept={[...ASSET_TYPES]}
        multiple
        loading={progress !== null}
        activateOnClick={false}
        data-testid="assets-dropzone"
        inputProps={{ "aria-label": t("assets.choose"), "data-testid": "assets-file-input" } as never}
      >
        <Group justify="center" gap="lg" mih={110} style={{ pointerEvents: "none" }}>
          <Dropzone.Accept><IconUpload size={40} stroke={1.5} /></Dropzone.Accept>
          <Dropzone.Reject><IconX size={40} stroke={1.5} /></Dropzone.Reject>
          <Dropzone.Idle><IconPhoto size={40} stroke={1.5} /></Dropzone.Idle>
          <div>
            <Text>{t("assets.drop")}</Text>
            <Text size="sm" c="dimmed">{t("assets.drop_hint", { mb: MAX_ASSET_MB })}</Text>
          </div>
          <Button style={{ pointerEvents: "all" }} leftSection={<IconUpload size={16} />} onClick={() => openRef.current?.()}
            data-testid="assets-upload">
            {t("assets.choose")}
          </Button>
        </Group>
      </Dropzone>
      {progress && (
        <Stack gap={4} data-testid="assets-progress">
          <Text size="sm">{t("assets.uploading", { done: progress.done, total: progress.total })}</Text>
          <Progress value={(progress.done / progress.total) * 100} aria-label={t("assets.upload_progress")} animated />
        </Stack>
      )}
      {uploaded > 0 && !progress && (
        <Text size="sm" c="teal.9" data-testid="assets-uploaded">{t("assets.uploaded", { count: uploaded })}</Text>
      )}
      {refused.length > 0 && (
        <div data-testid="assets-refused" role="alert">
          <Text size="sm" c="red.9">{t("assets.refused", { count: refused.length })}</Text>
          <List size="sm">
            {refused.map((r, i) => (
              <List.Item key={`${r.name}-${i}`} data-testid="assets-refused-file">{t("assets.refused_file", { name: r.name, reason: r.reason })}</List.Item>
            ))}
          </List>
        </div>
      )}
    </Stack>
  );
}
