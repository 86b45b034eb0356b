export { PaymentsClient } from "./client";
export type { Charge, ChargeRequest, ClientOptions } from "./client";
export { PaymentsError } from "./errors";
