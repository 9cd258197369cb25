// Campaigns: the query keys, the calls (on the generated client) and the hooks of the campaign screens.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type CampaignIn = Schemas["CampaignIn"];

export const keys = {
  all: ["campaigns"] as const,
  list: () => ["campaigns", "list"] as const,
  campaign: (id: number) => ["campaigns", id] as const,
};

const campaignPath = (id: number) => ({ params: { path: { campaign_id: id } } });

export const CAMPAIGNS_PAGE = 50;
export const listCampaigns = (cursor?: string) =>
  unwrap(api.GET("/api/campaigns", { params: { query: { limit: CAMPAIGNS_PAGE, ...(cursor ? { cursor } : {}) } } }));
export const getCampaign = (id: number) => unwrap(api.GET("/api/campaigns/{campaign_id}", campaignPath(id)));
export const createCampaign = (body: CampaignIn) => unwrap(api.POST("/api/campaigns", { body }));
/** Who a campaign with this body would reach, and who it would leave out and why (creates nothing). */
export const campaignAudience = (body: CampaignIn) => unwrap(api.POST("/api/campaigns/audience", { body }));
export const decideCampaign = (id: number) => unwrap(api.POST("/api/campaigns/{campaign_id}/decide", campaignPath(id)));
export const cancelCampaign = (id: number) => unwrap(api.POST("/api/campaigns/{campaign_id}/cancel", campaignPath(id)));

// ---- hooks ------------------------------------------------------------------------------------

/** Campaigns, newest first, a cursor page at a time; refreshed while they send. */
export const useCampaigns = () => useCursorPages(keys.list(), listCampaigns, { refetchInterval: 5_000 });

/** One campaign with its statistics: refreshed quickly while it sends, slowly once done. */
export const useCampaign = (id: number) =>
  useQuery({
    queryKey: keys.campaign(id),
    queryFn: () => getCampaign(id),
    refetchInterval: (q) => (q.state.data?.status === "sent" || q.state.data?.status === "cancelled" ? 15_000 : 1_500),
  });
