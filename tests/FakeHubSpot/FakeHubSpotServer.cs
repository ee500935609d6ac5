using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FakeHubSpot;

/// <summary>The HubSpot calls the fake knows; faults are injected per route.</summary>
public enum Route { CreateContact, ReadContact, SearchCompanies, CreateCompany, ReadCompanies, AssociateDefault }

/// <summary>One request as the fake received it, and the status it answered (0: the connection was closed instead).</summary>
public sealed record RecordedRequest(string Method, string PathBase, string Path, string Query, IReadOnlyDictionary<string, string> Headers,
    string Body, DateTimeOffset ArrivedAt, TimeSpan ArrivedAfterStart, Route? Route)
{
    public int Status { get; internal set; }
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>A stored CRM record. Search sees it only from <paramref name="IndexedAt"/> on (HubSpot's index lags writes).</summary>
public sealed record FakeRecord(string Id, IReadOnlyDictionary<string, string> Properties, DateTimeOffset CreatedAt, DateTimeOffset IndexedAt)
{
    public string this[string property] => Properties.TryGetValue(property, out var value) ? value : "";
}

/// <summary>An answer: status, body, extra headers, and the content type of a body.</summary>
public sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "application/json;charset=utf-8");

// What the next request on a route meets instead of a normal answer, picked by name. A preset gets the request and handle,
// which handles it as HubSpot would (storing what it writes) and returns the answer, whenever it is called.
public sealed class Fault
{
    readonly Func<HttpContext, Func<Reply>, Task> _act;

    Fault(Func<HttpContext, Func<Reply>, Task> act, string? correlationId = null) => (_act, CorrelationId) = (act, correlationId);

    /// <summary>The correlation id in the body of the answer, for tests to look for in the app's output.</summary>
    public string? CorrelationId { get; }

    internal Task ActAsync(HttpContext context, Func<Reply> handle) => _act(context, handle);

    /// <summary>This status, body and headers; nothing is stored.</summary>
    public static Fault Respond(int status, string body = "", params (string Name, string Value)[] headers) =>
        Answering(_ => new Reply(status, body, headers.ToDictionary(h => h.Name, h => h.Value)));

    /// <summary>The connection closes without an answer; nothing is stored.</summary>
    public static Fault DropConnection() => new((context, _) => Abort(context));

    /// <summary>HubSpot handles the request, then closes the connection cleanly (a FIN, not a reset) without answering.</summary>
    public static Fault CloseWithoutAnswer() => new((context, handle) =>
    {
        handle();
        context.Features.Get<IConnectionSocketFeature>()?.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        return Abort(context);
    });

    /// <summary>HubSpot stores what the request writes, then the connection closes without an answer.</summary>
    public static Fault LoseAnswerAfterStoring() => new((context, handle) =>
    {
        handle();
        return Abort(context);
    });

    /// <summary>HubSpot stores it, then sends half of the body its Content-Length announces, and the connection closes.</summary>
    public static Fault CutBodyShort() => new(async (context, handle) =>
    {
        var body = Encoding.UTF8.GetBytes(handle().Body);
        (context.Response.ContentType, context.Response.ContentLength) = ("application/json;charset=utf-8", body.Length);
        await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await Abort(context);
    });

    /// <summary>HubSpot works on it for a while, then stores it and answers, even when the caller has gone meanwhile.</summary>
    public static Fault StoreSlowly(TimeSpan delay) => new(async (context, handle) =>
    {
        await Task.Delay(delay);
        await FakeHubSpotServer.WriteAsync(context, handle());
    });

    /// <summary>A wait, then the normal answer.</summary>
    public static Fault Slow(TimeSpan delay) => new(async (context, handle) =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await FakeHubSpotServer.WriteAsync(context, handle());
    });

    /// <summary>The request is handled normally, and its JSON answer changed by <paramref name="edit"/>.</summary>
    public static Fault Reshaped(Func<JsonObject, JsonNode?> edit) =>
        Answering(handle => handle() is var answer && JsonNode.Parse(answer.Body) is JsonObject json ? answer with { Body = edit(json)?.ToJsonString() ?? "null" } : answer);

    /// <summary>A 200 of valid-looking JSON over 2 MB, with its Content-Length or chunked; nothing is stored.</summary>
    public static Fault Oversized(bool announceLength) => $$"""{"id":"1","padding":"{{new string('x', 2_000_000)}}"}""" is var body && announceLength
        ? Respond(200, body, ("Content-Length", $"{Encoding.UTF8.GetByteCount(body)}")) : Respond(200, body);

    /// <summary>HubSpot's 429 as observed: no category, <c>errorType</c> and <c>policyName</c> instead.</summary>
    public static Fault RateLimited(string policy = "TEN_SECONDLY_ROLLING", int? retryAfterSeconds = null) =>
        Answering(_ => FakeHubSpotServer.RateLimit(policy, NamedCorrelationId(429)) with
        {
            Headers = Headers(("Retry-After", retryAfterSeconds)),
        }, NamedCorrelationId(429));

    /// <summary>The bad days the standalone fake offers by name (--fault NAME); each meets the next request on its route.</summary>
    public static IReadOnlyDictionary<string, (Route Route, Fault Fault, string What)> Presets { get; } =
        new Dictionary<string, (Route, Fault, string)>
        {
            ["rate-limit"] = (Route.CreateContact, RateLimited(retryAfterSeconds: 3), "the next contact create meets the rate limit (429, Retry-After: 3)"),
            ["daily-limit"] = (Route.CreateContact, RateLimited("DAILY"), "the next contact create meets the daily limit (429 DAILY)"),
            ["edge-524-after-storing"] = (Route.CreateCompany, EdgePage(524, afterStoring: true), "the next company create is stored, then answered by Cloudflare's 524 page"),
            ["lost-answer-after-storing"] = (Route.CreateCompany, LoseAnswerAfterStoring(), "the next company create is stored, then its connection closes unanswered"),
        };

    /// <summary>HubSpot's own trouble (500, 502, 503, 504) as its JSON, with a Retry-After if given; nothing is stored.</summary>
    public static Fault ServerError(int status = 503, int? retryAfterSeconds = null) =>
        Answering(_ => ServerErrorAnswer(status) with { Headers = Headers(("Retry-After", retryAfterSeconds)) }, NamedCorrelationId(status));

    /// <summary>Cloudflare's HTML page from HubSpot's edge (520 to 524); <paramref name="afterStoring"/>: HubSpot stored the record first.</summary>
    public static Fault EdgePage(int status, bool afterStoring = false) => Answering(handle =>
    {
        _ = afterStoring ? handle() : null;
        var title = status == 524 ? "A timeout occurred" : "Web server is returning an unknown error";
        return new Reply(status, $"<!DOCTYPE html><html><head><title>api.hubapi.com | {status}: {title}</title></head><body>cloudflare</body></html>",
            new Dictionary<string, string> { ["Server"] = "cloudflare" }, "text/html; charset=UTF-8");
    });

    /// <summary>HubSpot answers <paramref name="status"/> (its JSON error) at once, and stores the record <paramref name="after"/> later.</summary>
    public static Fault LateStore(int status, TimeSpan after, string? body = null) => Answering(handle =>
    {
        _ = Task.Delay(after).ContinueWith(_ => handle(), TaskScheduler.Default);
        return body is null ? ServerErrorAnswer(status) : new Reply(status, body);
    }, NamedCorrelationId(status));

    /// <summary>The default association answers 200 with another status and perhaps an error; <paramref name="stored"/>: whether it holds.</summary>
    public static Fault AssociationStatus(string status, bool stored, string? error = null) => new((context, handle) =>
    {
        var ids = context.Request.Path.Value!.Split('/');
        var answer = JsonNode.Parse(stored ? handle().Body : FakeHubSpotServer.AssociationEnvelope(ids[^5], ids[^1]))!.AsObject();
        answer["status"] = status;
        if (error is not null)
        {
            (answer["numErrors"], answer["errors"]) = (1, new JsonArray(JsonNode.Parse(FakeHubSpotServer.ErrorBody(NamedCorrelationId(200), "VALIDATION_ERROR", error))));
        }

        return FakeHubSpotServer.WriteAsync(context, new Reply(200, answer.ToJsonString()));
    });

    // A fault that answers with what it makes of the request; it handles (and stores) it only by calling handle.
    static Fault Answering(Func<Func<Reply>, Reply> answer, string? correlationId = null) =>
        new((context, handle) => FakeHubSpotServer.WriteAsync(context, answer(handle)), correlationId);

    static Reply ServerErrorAnswer(int status) => new(status, FakeHubSpotServer.ErrorBody(NamedCorrelationId(status), "INTERNAL_ERROR", $"Internal error {status}"));

    static Dictionary<string, string> Headers(params (string Name, int? Value)[] headers) =>
        headers.Where(h => h.Value is not null).ToDictionary(h => h.Name, h => $"{h.Value}");

    static Task Abort(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }

    static string NamedCorrelationId(int status) => $"fa017000-0000-4000-8000-{status:D12}";
}

// A stand-in for HubSpot's CRM API (2026-09) on loopback, as difficult as HubSpot: Bearer check, HubSpot's statuses and error
// bodies, string ids, email uniqueness, a search that lags writes while reads by id and batch reads do not, the request shapes
// HubSpot's OpenAPI files require, and named faults (rate limits among them). Anything else is 404.
public sealed class FakeHubSpotServer : IAsyncDisposable
{
    // Obviously fake; the only token the fake accepts unless told otherwise.
    public const string DefaultToken = "pat-na1-11111111-2222-3333-4444-555555555555";

    // A realistic lag of HubSpot's search index behind writes (seconds are common; once about 30 s was seen).
    public static readonly TimeSpan DefaultSearchLag = TimeSpan.FromSeconds(3);
    const string Prefix = "/crm/objects/2026-09/";
    static readonly string[] Labels = ["contact_to_company", "contact_to_company_unlabeled"];

    // The routes as one table: method, path below the prefix ('*' an id), name, the scope it needs, and its handler.
    static readonly (string Method, string Path, Route Route, string Scope, Func<FakeHubSpotServer, Request, Reply> Handle)[] Routes =
    [
        ("POST", "contacts", Route.CreateContact, "crm.objects.contacts.write", (hub, r) => hub.CreateContact(r)),
        ("GET", "contacts/*", Route.ReadContact, "crm.objects.contacts.read", (hub, r) => hub.ReadContact(r)),
        ("POST", "companies/search", Route.SearchCompanies, "crm.objects.companies.read", (hub, r) => hub.SearchCompanies(r)),
        ("POST", "companies", Route.CreateCompany, "crm.objects.companies.write", (hub, r) => hub.CreateCompany(r)),
        ("POST", "companies/batch/read", Route.ReadCompanies, "crm.objects.companies.read", (hub, r) => hub.ReadCompanies(r)),
        ("PUT", "contacts/*/associations/default/companies/*", Route.AssociateDefault, "crm.objects.contacts.write", (hub, r) => hub.Associate(r)),
    ];

    readonly WebApplication _app;
    // A prefix every HubSpot path must carry, as behind a gateway ("" for none); control: /_fake/reset and /_fake/stats answer.
    readonly string _pathBase;
    readonly bool _control;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Lock _lock = new();
    readonly List<RecordedRequest> _requests = [];
    readonly List<FakeRecord> _contacts = [];
    readonly List<FakeRecord> _companies = [];
    readonly HashSet<(string ContactId, string CompanyId)> _associations = [];
    readonly List<(Route Route, Fault Fault)> _faults = [];
    long _nextContactId = 37765128901;
    long _nextCompanyId = 20185735001;

    FakeHubSpotServer(WebApplication app, string token, bool control, string pathBase)
    {
        (_app, Token, _control, _pathBase) = (app, token, control, pathBase);
        app.UsePathBase(pathBase);
        app.Run(HandleAsync);
    }

    // Raised once a request has been answered (or its connection closed): the standalone fake prints it.
    public event Action<RecordedRequest>? Answered;

    public Uri BaseUrl { get; private set; } = null!;
    public string Token { get; }

    // The scopes the token carries (a call needing another answers 403 MISSING_SCOPES); how long search misses a new record.
    public ISet<string> GrantedScopes { get; } = new HashSet<string>(Routes.Select(r => r.Scope));
    public TimeSpan SearchLag { get; set; } = DefaultSearchLag;

    public IReadOnlyList<RecordedRequest> Requests => Locked(() => _requests.ToList());
    public IReadOnlyList<FakeRecord> Contacts => Locked(() => _contacts.ToList());
    public IReadOnlyList<FakeRecord> Companies => Locked(() => _companies.ToList());
    public IReadOnlyList<(string ContactId, string CompanyId)> Associations => Locked(() => _associations.ToList());

    public static async Task<FakeHubSpotServer> StartAsync(int port = 0, string token = DefaultToken, bool control = false, string pathBase = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var server = new FakeHubSpotServer(builder.Build(), token, control, pathBase);
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.First());
        return server;
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Queue a fault for the next requests on a route, in order; normal answers resume after them.</summary>
    public void Inject(Route route, Fault fault, int times = 1) => Locked(() => _faults.AddRange(Enumerable.Repeat((route, fault), times)));

    /// <summary>A contact stored a day ago (already indexed).</summary>
    public FakeRecord SeedContact(string email, string firstName, string lastName, string? id = null) =>
        Store(_contacts, id ?? NextId(ref _nextContactId), new() { ["email"] = email, ["firstname"] = firstName, ["lastname"] = lastName }, DateTimeOffset.UtcNow.AddDays(-1), indexed: true);

    /// <summary>A company created at <paramref name="createdAt"/>; search sees it at once unless <paramref name="indexed"/> is false.</summary>
    public FakeRecord SeedCompany(string name, string domain, DateTimeOffset createdAt, string? id = null, bool indexed = true) =>
        Store(_companies, id ?? NextId(ref _nextCompanyId), new() { ["name"] = name, ["domain"] = domain }, createdAt, indexed);

    public void SeedAssociation(string contactId, string companyId) => Locked(() => _associations.Add((contactId, companyId)));

    /// <summary>Forgets every record, request and fault, as if HubSpot were a fresh portal.</summary>
    public void Reset() => Cleared();

    Reply Cleared() => Locked(() =>
    {
        _requests.Clear();
        _contacts.Clear();
        _companies.Clear();
        _associations.Clear();
        _faults.Clear();
        return new Reply(204, "");
    });

    internal static async Task WriteAsync(HttpContext context, Reply answer)
    {
        context.Response.StatusCode = answer.Status;
        answer.Headers?.ToList().ForEach(header => context.Response.Headers[header.Key] = header.Value);

        if (answer.Body.Length > 0)
        {
            context.Response.ContentType ??= answer.ContentType;
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    internal static Reply RateLimit(string policy, string correlationId) => new(429, $$"""
        {"status":"error","message":"You have reached your {{policy switch { "DAILY" => "daily", "SECONDLY" => "secondly", _ => "ten_secondly_rolling" }}} limit.",
         "errorType":"RATE_LIMIT","correlationId":"{{correlationId}}","policyName":"{{policy}}"}
        """);

    internal static string ErrorBody(string correlationId, string category, string message) =>
        $$"""{"status":"error","message":{{JsonValue.Create(message).ToJsonString()}},"correlationId":"{{correlationId}}","category":"{{category}}"}""";

    // The default association lists both directions: 279 contact to company, 280 back.
    internal static string AssociationEnvelope(string contactId, string companyId) => $$$"""
        {"status":"COMPLETE","startedAt":"{{{DateTimeOffset.UtcNow:O}}}","completedAt":"{{{DateTimeOffset.UtcNow:O}}}","results":[
          {"from":{"id":"{{{contactId}}}"},"to":{"id":"{{{companyId}}}"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}},
          {"from":{"id":"{{{companyId}}}"},"to":{"id":"{{{contactId}}}"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}}]}
        """;

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        // Not HubSpot: a control plane for the standalone fake and the benchmark, never recorded as a request.
        if (_control && request.Path.StartsWithSegments("/_fake", StringComparison.Ordinal))
        {
            await WriteAsync(context, (request.Method, request.Path.Value) switch
            {
                ("POST", "/_fake/reset") => Cleared(),
                ("GET", "/_fake/stats") => new Reply(200, $$"""{"requests":{{Requests.Count}},"contacts":{{Contacts.Count}},"companies":{{Companies.Count}},"associations":{{Associations.Count}}}"""),
                _ => new Reply(404, ""),
            });
            return;
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        // Behind a gateway's prefix, only requests under the prefix reach HubSpot's routes.
        var (route, ids) = request.PathBase == _pathBase ? Match(request.Method, request.Path.Value ?? "") : default;
        var recorded = new RecordedRequest(request.Method, request.PathBase.Value ?? "", request.Path.Value ?? "", request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow, _clock.Elapsed, route?.Route);
        Locked(() => _requests.Add(recorded));
        var correlationId = Guid.NewGuid().ToString();
        context.Response.Headers["X-HubSpot-Correlation-Id"] = correlationId;

        // All a handler needs is read now: a fault may run it after the request is over.
        var authorized = request.Headers.Authorization.ToString() == $"Bearer {Token}";
        var call = new Request(ids ?? [], request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), body, correlationId);
        Reply Handle() => route is not { } r ? new Reply(404, "")
            : !authorized ? new Reply(401, ErrorBody(correlationId, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication."),
                new Dictionary<string, string> { ["X-HubSpot-Auth-Failure"] = "Invalid token" })
            : !GrantedScopes.Contains(r.Scope) ? new Reply(403, $$$"""
                {"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"{{{correlationId}}}",
                 "errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["{{{r.Scope}}}"]}}],"category":"MISSING_SCOPES"}
                """)
            : r.Handle(this, call);

        var fault = Locked(() => _faults.FirstOrDefault(f => f.Route == route?.Route) is { Fault: { } next } found && _faults.Remove(found) ? next : null);
        try
        {
            await (fault?.ActAsync(context, Handle) ?? WriteAsync(context, Handle()));
            recorded.Status = context.RequestAborted.IsCancellationRequested ? 0 : context.Response.StatusCode;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The app stopped waiting (its timeout, or Ctrl+C).
        }

        Answered?.Invoke(recorded);
    }

    static ((string Method, string Path, Route Route, string Scope, Func<FakeHubSpotServer, Request, Reply> Handle)?, string[]?) Match(string method, string path)
    {
        var segments = path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..].Split('/') : [];
        var route = Routes.FirstOrDefault(r => r.Method == method && r.Path.Split('/') is var pattern && pattern.Length == segments.Length
            && pattern.Zip(segments).All(p => p.First == p.Second || (p.First == "*" && p.Second.Length > 0)));
        return route.Method is null ? default : (route, [.. route.Path.Split('/').Zip(segments).Where(p => p.First == "*").Select(p => Uri.UnescapeDataString(p.Second))]);
    }

    Reply CreateContact(Request request)
    {
        if (ParseCreate(request, [279, 1], _companies, out var properties, out var associateWith) is { } invalid)
        {
            return invalid;
        }

        var email = properties.GetValueOrDefault("email", "");
        if (email.Split('@') is not [{ Length: > 0 }, var domain] || domain.Split('.') is not [_, .., { Length: >= 2 }] || email.Any(char.IsWhiteSpace))
        {
            return Error(400, request, "VALIDATION_ERROR",
                $$"""Property values were not valid: [{"isValid":false,"message":"Email address {{email}} is invalid","error":"INVALID_EMAIL","name":"email"}]""");
        }

        return Locked(() =>
        {
            if (_contacts.FirstOrDefault(c => string.Equals(c["email"], email, StringComparison.OrdinalIgnoreCase)) is { } existing)
            {
                return Error(409, request, "CONFLICT", $"Contact already exists. Existing ID: {existing.Id}");
            }

            var contact = Store(_contacts, NextId(ref _nextContactId), properties, DateTimeOffset.UtcNow, indexed: false);
            associateWith.ForEach(companyId => _associations.Add((contact.Id, companyId)));
            return new Reply(201, RecordJson(contact, "contact", properties: null).ToJsonString());
        });
    }

    Reply ReadContact(Request request)
    {
        var byEmail = request.Query.GetValueOrDefault("idProperty") == "email";
        var (found, companyIds) = Locked(() => _contacts.FirstOrDefault(c => byEmail ? c["email"].Equals(request.Ids[0], StringComparison.OrdinalIgnoreCase) : c.Id == request.Ids[0]) is { } contact
            ? (contact, _associations.Where(a => a.ContactId == contact.Id).Select(a => a.CompanyId).Order(StringComparer.Ordinal).ToList())
            : ((FakeRecord?)null, []));
        if (found is null)
        {
            return Error(404, request, "OBJECT_NOT_FOUND", "resource not found");
        }

        var record = RecordJson(found, "contact", Split(request.Query.GetValueOrDefault("properties")));
        if (Split(request.Query.GetValueOrDefault("associations")).Contains("companies") && companyIds.Count > 0)
        {
            // HubSpot lists a company once per association label; the first is also the primary.
            var results = companyIds.SelectMany((id, i) => Labels.Skip(i == 0 ? 0 : 1).Select(type => (JsonNode)new JsonObject { ["id"] = id, ["type"] = type }));
            record["associations"] = new JsonObject { ["companies"] = new JsonObject { ["results"] = new JsonArray([.. results]) } };
        }

        return new Reply(200, record.ToJsonString());
    }

    Reply SearchCompanies(Request request)
    {
        // What HubSpot's 2026-09 OpenAPI file marks required; HubSpot itself tolerates some gaps, the fake does not.
        if (ParseObject(request, out var root, "after", "filterGroups", "limit", "properties", "sorts") is { } invalid)
        {
            return invalid;
        }

        var groups = (root["filterGroups"] as JsonArray)?.Select(g => g?["filters"] as JsonArray).ToList() ?? [];
        if (root["limit"] is not JsonValue limitValue || !limitValue.TryGetValue<int>(out var limit) || limit is < 1 or > 200 || groups.Count > 6
            || groups.Any(g => g is null || g.Any(f => f?["propertyName"] is null || f["operator"]?.GetValue<string>() != "EQ")))
        {
            return Error(400, request, "VALIDATION_ERROR", "limit must be 1 to 200, with at most 6 filter groups of filters with a propertyName and the operator EQ (all the fake knows).");
        }

        // Groups are ORed, the filters in a group ANDed; matching ignores case, as HubSpot's does.
        var now = DateTimeOffset.UtcNow;
        var matches = Sorted(Locked(() => _companies.Where(c => c.IndexedAt <= now && groups.Any(g => g!.All(f =>
            c[f!["propertyName"]!.GetValue<string>()].Equals(f["value"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase)))).ToList()), root["sorts"] as JsonArray);
        var offset = int.TryParse(root["after"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var after) ? after : 0;
        var page = matches.Skip(offset).Take(limit).ToList();
        var answer = new JsonObject { ["total"] = matches.Count, ["results"] = new JsonArray([.. page.Select(c => RecordJson(c, "company", Strings(root["properties"])))]) };
        if (offset + page.Count < matches.Count)
        {
            answer["paging"] = JsonNode.Parse($$$"""{"next":{"after":"{{{offset + page.Count}}}"}}""");
        }

        return new Reply(200, answer.ToJsonString());
    }

    // HubSpot honours sorts given as {"propertyName","direction"} only (its OpenAPI file's plain names are ignored); ties by id.
    static List<FakeRecord> Sorted(List<FakeRecord> records, JsonArray? sorts) => [.. (sorts ?? []).OfType<JsonObject>().Aggregate(records.OrderBy(_ => 0), (ordered, sort) =>
        (sort["propertyName"]?.GetValue<string>() ?? "") is var name && sort["direction"]?.GetValue<string>() == "DESCENDING"
            ? ordered.ThenByDescending(r => SortKey(r, name), StringComparer.Ordinal) : ordered.ThenBy(r => SortKey(r, name), StringComparer.Ordinal))
        .ThenBy(r => r.Id.PadLeft(20, '0'), StringComparer.Ordinal)];

    static string SortKey(FakeRecord record, string property) => property == "createdate" ? $"{record.CreatedAt.UtcTicks:D20}" : record[property];

    // HubSpot does not deduplicate companies created through the API; associations are stored with the record.
    Reply CreateCompany(Request request) => ParseCreate(request, [280, 2], _contacts, out var properties, out var associateWith) ?? Locked(() =>
    {
        var company = Store(_companies, NextId(ref _nextCompanyId), properties, DateTimeOffset.UtcNow, indexed: false);
        associateWith.ForEach(contactId => _associations.Add((contactId, company.Id)));
        return new Reply(201, RecordJson(company, "company", properties: null).ToJsonString());
    });

    // Batch reads come from the primary store: no index lag. Ids that do not exist are listed in errors (2026-09 answers 200).
    Reply ReadCompanies(Request request)
    {
        if (ParseObject(request, out var root, "inputs", "properties", "propertiesWithHistory") is { } invalid)
        {
            return invalid;
        }

        if (root["inputs"] is not JsonArray { Count: > 0 and <= 100 } inputs || inputs.Any(i => i?["id"] is not JsonValue))
        {
            return Error(400, request, "VALIDATION_ERROR", "inputs must be 1 to 100 objects with an id.");
        }

        var wanted = inputs.Select(i => i!["id"]!.ToString()).Distinct().ToList();
        var found = Locked(() => _companies.Where(c => wanted.Contains(c.Id)).ToList());
        var answer = JsonNode.Parse($$"""{"status":"COMPLETE","startedAt":"{{DateTimeOffset.UtcNow:O}}","completedAt":"{{DateTimeOffset.UtcNow:O}}"}""")!;
        answer["results"] = new JsonArray([.. found.Select(c => RecordJson(c, "company", Strings(root["properties"])))]);
        if (wanted.Except(found.Select(c => c.Id)).ToList() is { Count: > 0 } absent)
        {
            answer["numErrors"] = 1;
            answer["errors"] = JsonNode.Parse($$$"""
                [{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.",
                  "context":{"ids":{{{new JsonArray([.. absent.Select(id => JsonValue.Create(id))]).ToJsonString()}}}}}]
                """);
        }

        return new Reply(200, answer.ToJsonString());
    }

    Reply Associate(Request request) => Locked(() =>
    {
        if (_contacts.All(c => c.Id != request.Ids[0]) || _companies.All(c => c.Id != request.Ids[1]))
        {
            return Error(404, request, "OBJECT_NOT_FOUND", "One or more objects could not be found.");
        }

        _associations.Add((request.Ids[0], request.Ids[1]));
        return new Reply(200, AssociationEnvelope(request.Ids[0], request.Ids[1]));
    });

    static Reply? ParseObject(Request request, out JsonObject root, params string[] required)
    {
        try
        {
            root = JsonNode.Parse(request.Body) as JsonObject ?? [];
        }
        catch (JsonException e)
        {
            root = [];
            return Error(400, request, "VALIDATION_ERROR", $"Invalid input JSON on line 1: {e.Message}");
        }

        var json = root;
        return required.FirstOrDefault(name => json[name] is null) is { } missing
            ? Error(400, request, "VALIDATION_ERROR", $"Invalid input JSON: missing required field \"{missing}\".")
            : null;
    }

    // A create needs "properties" (strings) and "associations", each to an existing record with HubSpot-defined types of this direction.
    Reply? ParseCreate(Request request, int[] types, List<FakeRecord> others, out Dictionary<string, string> properties, out List<string> associateWith)
    {
        (properties, associateWith) = ([], []);
        if (ParseObject(request, out var root, "properties", "associations") is { } invalid)
        {
            return invalid;
        }

        if (root["properties"] is not JsonObject values || root["associations"] is not JsonArray associations
            || values.Any(v => v.Value is not JsonValue value || value.GetValueKind() != JsonValueKind.String))
        {
            return Error(400, request, "VALIDATION_ERROR", "Property values were not valid: \"properties\" must hold strings, \"associations\" must be a list.");
        }

        foreach (var association in associations)
        {
            var to = association?["to"]?["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : null;
            var fits = association?["types"] is JsonArray { Count: > 0 } list && list.All(t => t?["associationCategory"]?.GetValue<string>() == "HUBSPOT_DEFINED"
                && t["associationTypeId"] is JsonValue n && n.TryGetValue<int>(out var type) && types.Contains(type));
            if (to is null || !fits || Locked(() => others.All(r => r.Id != to)))
            {
                return Error(400, request, "VALIDATION_ERROR", $"Invalid association to {to}: it needs an existing record and types from {string.Join(", ", types)}.");
            }

            associateWith.Add(to);
        }

        properties = values.ToDictionary(v => v.Key, v => v.Value!.GetValue<string>());
        return null;
    }

    FakeRecord Store(List<FakeRecord> records, string id, Dictionary<string, string> properties, DateTimeOffset createdAt, bool indexed)
    {
        var stamp = createdAt.ToString("O", CultureInfo.InvariantCulture);
        (properties["hs_object_id"], properties["createdate"], properties["lastmodifieddate"]) = (id, stamp, stamp);
        var record = new FakeRecord(id, properties, createdAt, indexed ? DateTimeOffset.MinValue : DateTimeOffset.UtcNow + SearchLag);
        Locked(() => records.Add(record));
        return record;
    }

    // A record as HubSpot answers it: the asked-for properties plus the three it always adds.
    static JsonObject RecordJson(FakeRecord record, string kind, List<string>? properties) => new()
    {
        ["id"] = record.Id,
        ["properties"] = new JsonObject(record.Properties.Where(p => properties is null || properties.Contains(p.Key) || p.Key is "hs_object_id" or "createdate" or "lastmodifieddate")
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["createdAt"] = record.Properties["createdate"],
        ["updatedAt"] = record.Properties["createdate"],
        ["archived"] = false,
        ["url"] = $"https://app.hubspot.com/contacts/1/record/{kind}/{record.Id}",
    };

    static Reply Error(int status, Request request, string category, string message) => new(status, ErrorBody(request.CorrelationId, category, message));

    static List<string> Split(string? values) => [.. (values ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    static List<string>? Strings(JsonNode? list) => (list as JsonArray)?.Select(p => p?.GetValue<string>()).OfType<string>().ToList();

    static string NextId(ref long next) => Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);

    T Locked<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }

    void Locked(Action change) => Locked(() => { change(); return 0; });

    /// <summary>What a handler gets: the ids in the path, the query, the body and the correlation id it answers with.</summary>
    sealed record Request(string[] Ids, Dictionary<string, string> Query, string Body, string CorrelationId);
}
