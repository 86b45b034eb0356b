export class PaymentsError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: string,
  ) {
    super(`Acme Payments API answered ${status}`);
    this.name = "PaymentsError";
  }
}
