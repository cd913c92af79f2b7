// A small program on the TypeScript client generated from the four OpenAPI documents (openapi-typescript):
// if it type-checks with `tsc --strict`, a front-end team can build on the documents. It runs nothing;
// tests/contract/test_typescript_client.py generates ./generated/*.ts next to a copy of it and type-checks both.
import type { operations as OrgRegistry } from "./generated/org-registry";
import type { operations as DemandIntake } from "./generated/demand-intake";
import type { operations as ProjectMatching } from "./generated/project-matching";
import type { operations as DualRegistration, components as DualComponents } from "./generated/dual-registration";

type Operation = {
  parameters: { query?: unknown; path?: unknown };
  requestBody?: { content: { "application/json": unknown } };
  responses: Record<number, { content?: Record<string, unknown> }>;
};
type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
type ProblemOf<R> = R extends { content: { "application/problem+json": infer P } } ? P : never;
type Success<O extends Operation> = Json<O["responses"][200]> | Json<O["responses"][201]>;
type Failure<O extends Operation> = ProblemOf<O["responses"][keyof O["responses"]]>;
type Body<O extends Operation> = O["requestBody"] extends { content: { "application/json": infer B } } ? B : undefined;
type Outcome<O extends Operation> = { ok: true; data: Success<O> } | { ok: false; problem: Failure<O> };

// An error body typed `never` (FastAPI's default document) would make every `problem` below unusable.
type IsNever<T> = [T] extends [never] ? true : false;
const errorsAreTyped: [IsNever<Failure<DemandIntake["demandIntake.demands.get"]>>,
                       IsNever<Failure<OrgRegistry["orgRegistry.areas.list"]>>] = [false, false];

async function call<O extends Operation>(base: string, method: string, path: string, token: string,
                                         query?: O["parameters"]["query"], body?: Body<O>): Promise<Outcome<O>> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null) search.set(name, String(value));
  }
  const response = await fetch(`${base}${path}${search.size ? `?${search}` : ""}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload: unknown = await response.json();
  return response.ok ? { ok: true, data: payload as Success<O> } : { ok: false, problem: payload as Failure<O> };
}

// What a client codes against: the problem's `type`, never its `detail`.
function explain(problem: { type: string; status: number; detail: string; errors?: { field?: string; message?: string }[] }): string {
  if (problem.type === "urn:yizhou:problem:validation") {
    return (problem.errors ?? []).map((e) => `${e.field ?? "?"}: ${e.message ?? ""}`).join("; ");
  }
  return `${problem.status} ${problem.type}`;
}

export async function screen(base: Record<"org" | "demands" | "projects" | "registrations", string>, token: string) {
  const areas = await call<OrgRegistry["orgRegistry.areas.list"]>(base.org, "GET", "/api/v1/areas", token,
                                                                  { under: "CY01", limit: 50 });
  if (!areas.ok) throw new Error(explain(areas.problem));
  const codes: string[] = areas.data.items.map((area) => area.code);

  const submitted = await call<DemandIntake["demandIntake.demands.submit"]>(
    base.demands, "POST", "/api/v1/demands", token, undefined,
    { channel: "hotline", category: "elderly_care", urgency: "normal", description: "楼道灯坏了", area_code: codes[0] });
  if (!submitted.ok) throw new Error(explain(submitted.problem));
  const demandId: string = submitted.data.demand.id;

  const matches = await call<ProjectMatching["projectMatching.matching.listMatches"]>(
    base.projects, "GET", "/api/v1/matching/matches", token, { limit: 20 });
  if (matches.ok && matches.data.items.length > 0) {
    const accepted = await call<ProjectMatching["projectMatching.matching.accept"]>(
      base.projects, "POST", `/api/v1/matching/matches/${matches.data.items[0].id}/accept`, token);
    if (!accepted.ok) console.warn(explain(accepted.problem));
  }

  const commitment: DualComponents["schemas"]["CommitmentIn"] = {
    kind: "venue", description: "Meeting hall for 60", categories: ["culture_sports"], quantity: 24,
    unit_of_measure: "sessions/year",
  };
  const registered = await call<DualRegistration["dualRegistration.registrations.registerUnit"]>(
    base.registrations, "POST", "/api/v1/registrations/units", token, undefined,
    { unit_id: "u-2031", agreement: { title: "结对共建 2026", hours_per_year: 400, commitments: [commitment] } });
  return { errorsAreTyped, demandId, registration: registered.ok ? registered.data.id : explain(registered.problem) };
}
