/** The orders metrics' CloudWatch namespace: the handler's EMF documents and the stack's `metrics_namespace` output. */
export const ORDERS_METRICS_NAMESPACE = "Orders";
