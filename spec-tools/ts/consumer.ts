// A small TypeScript consumer of openapi.yaml: it reads the docs' example body, checks
// typed fields, and handles the error envelope. `npm run typecheck` type-checks it
// against the types openapi-typescript generates from the spec (ts/generated), so a
// spec change that breaks consumers in other languages fails `make test`.
import type { components, operations } from "./generated/openapi";
import docsExample from "../../tests/testdata/docs_example.json";
import notFoundExample from "../../tests/testdata/not_found.json";

type Image = components["schemas"]["Image"];
type ErrorResponse = components["schemas"]["ErrorResponse"];
type Success = operations["describeImage"]["responses"][200]["content"]["application/json"];
type NotFound = operations["describeImage"]["responses"][404]["content"]["application/json"];

// The success and error envelopes are the ones the operation declares.
const _sameError: NotFound extends ErrorResponse ? true : never = true;
void _sameError;

function isErrorResponse(body: unknown): body is ErrorResponse {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const e = (body as { error: unknown }).error;
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "number";
}

function isSuccess(body: unknown): body is Success {
  if (typeof body !== "object" || body === null || !("result" in body)) return false;
  const r = (body as { result: unknown }).result;
  return typeof r === "object" && r !== null && "image" in r;
}

/** progressPercent reads the progress field, a string of digits (not a number). */
export function progressPercent(image: Image): number {
  const p: string | undefined = image.progress;
  return p === undefined ? -1 : parseInt(p, 10);
}

/** describe turns a response (status and parsed JSON body) into one line. */
export function describe(status: number, body: unknown): string {
  if (status === 200 && isSuccess(body)) {
    const image: Image = body.result.image;
    const size: number | undefined = image.sizeMB;
    const ready: boolean = image.status === "ready";
    const source: Image["imageSource"] = image.imageSource;
    return `${image.imageId ?? "?"} ${image.name ?? ""}: ${ready ? "ready" : image.status ?? "unknown"}, ` +
      `${size ?? 0} MB, progress ${progressPercent(image)}%, source ${source ?? "?"}`;
  }
  if (isErrorResponse(body)) {
    const { code, status: symbol, message } = body.error;
    const codeNumber: number = code;
    return `error ${codeNumber} ${symbol}: ${message} (request ${body.requestId})`;
  }
  return `unexpected response with status ${status}`;
}

export const lines: string[] = [describe(200, docsExample), describe(404, notFoundExample)];

// The write calls' shapes, as a consumer in another language sees them: task ids are
// strings (a number breaks JD's Go SDK), a task's progress is a number, and a void
// answer may carry no result.
type TaskInfo = components["schemas"]["TaskInfo"];
type ShareBody = NonNullable<operations["shareImage"]["requestBody"]>["content"]["application/json"];
type VoidAnswer = operations["shareImage"]["responses"][200]["content"]["application/json"];

/** taskLine turns an import or export task into one line. */
export function taskLine(task: TaskInfo): string {
  const id: string = task.taskId;
  const progress: number | undefined = task.progress;
  return `task ${id} ${task.action ?? "?"}: ${task.taskStatus} ${progress ?? 0}%`;
}

/** A share by pin, with the nulls JD's Go SDK sends for the fields it leaves unset. */
export const shareBody: ShareBody = { pins: ["jdcloud-user-02"], loginNames: null, regionId: "cn-north-1", imageId: "img-m5s0ab1c29" };
export const voidAnswer: VoidAnswer = { requestId: "a0633f72670e59f8c6db36b1ee257011" };
