export { sendMessages } from "./producer.js";
export type { OutgoingMessage, SendMessagesOptions, SendResult } from "./types.js";
