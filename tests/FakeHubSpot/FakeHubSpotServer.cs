using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FakeHubSpot;

/// <summary>The HubSpot calls the fake knows; faults are injected per route.</summary>
public enum Route
{
    CreateContact,
    ReadContact,
    SearchCompanies,
    CreateCompany,
    AssociateDefault,
}

/// <summary>One request as the fake received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ArrivedAt,
    TimeSpan ArrivedAfterStart,
    Route? Route)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>A stored CRM record.</summary>
public sealed record FakeRecord(string Id, IReadOnlyDictionary<string, string> Properties, DateTimeOffset CreatedAt)
{
    public string this[string property] => Properties.TryGetValue(property, out var value) ? value : "";
}

/// <summary>What the next request on a route meets instead of (or on top of) normal handling.</summary>
public sealed record Fault
{
    public int? Status { get; init; }
    public string Body { get; init; } = "";
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public TimeSpan Delay { get; init; }
    public bool DropConnection { get; init; }
    public bool LoseAnswer { get; init; }

    /// <summary>Answer with this status, body and headers; nothing is stored.</summary>
    public static Fault Respond(int status, string body = "", params (string Name, string Value)[] headers) =>
        new() { Status = status, Body = body, Headers = headers.ToDictionary(h => h.Name, h => h.Value) };

    /// <summary>Close the connection without answering; nothing is stored.</summary>
    public static Fault Drop() => new() { DropConnection = true };

    /// <summary>Handle the request normally (store it), then close the connection without answering.</summary>
    public static Fault LoseTheAnswer() => new() { LoseAnswer = true };

    /// <summary>Wait, then handle the request normally.</summary>
    public static Fault Slow(TimeSpan delay) => new() { Delay = delay };
}

/// <summary>
/// A stand-in for HubSpot's CRM API (date version 2026-09) on loopback: Bearer check, HubSpot's
/// status codes and error bodies, records with string ids, email uniqueness, company search,
/// the default association, rate limits, and per-route fault injection. Anything else is 404.
/// </summary>
public sealed partial class FakeHubSpotServer : IAsyncDisposable
{
    public const string ApiVersion = "2026-09";

    /// <summary>Obviously fake; the only token the fake accepts unless told otherwise.</summary>
    public const string DefaultToken = "pat-na1-00000000-0000-0000-0000-000000000000";

    public static readonly IReadOnlyList<string> AllScopes =
    [
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.objects.companies.read",
        "crm.objects.companies.write",
    ];

    const string Prefix = "/crm/objects/" + ApiVersion + "/";
    const int TenSecondlyMax = 100;
    const int SearchSecondlyMax = 5;

    readonly WebApplication _app;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    readonly Lock _lock = new();
    readonly List<RecordedRequest> _requests = [];
    readonly List<FakeRecord> _contacts = [];
    readonly List<FakeRecord> _companies = [];
    readonly HashSet<(string ContactId, string CompanyId)> _associations = [];
    readonly ConcurrentDictionary<Route, ConcurrentQueue<Fault>> _faults = new();
    readonly Queue<TimeSpan> _recentCalls = new();
    readonly Queue<TimeSpan> _recentSearches = new();
    long _nextContactId = 37765128901;
    long _nextCompanyId = 20185735001;

    FakeHubSpotServer(WebApplication app, string token, bool control)
    {
        _app = app;
        Token = token;
        Control = control;
        app.Run(HandleAsync);
    }

    /// <summary>Whether <c>/_fake/reset</c> and <c>/_fake/stats</c> answer (for the standalone fake and the benchmark).</summary>
    public bool Control { get; }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The Bearer token the fake accepts.</summary>
    public string Token { get; }

    /// <summary>The scopes the token carries; a call whose scope is missing answers 403 MISSING_SCOPES.</summary>
    public ISet<string> GrantedScopes { get; } = new HashSet<string>(AllScopes);

    /// <summary>How long a new record stays invisible to search (HubSpot's index lags writes).</summary>
    public TimeSpan SearchLag { get; set; }

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_lock) { return [.. _requests]; } } }
    public IReadOnlyList<FakeRecord> Contacts { get { lock (_lock) { return [.. _contacts]; } } }
    public IReadOnlyList<FakeRecord> Companies { get { lock (_lock) { return [.. _companies]; } } }
    public IReadOnlyList<(string ContactId, string CompanyId)> Associations { get { lock (_lock) { return [.. _associations]; } } }

    public static async Task<FakeHubSpotServer> StartAsync(int port = 0, string token = DefaultToken, bool control = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var server = new FakeHubSpotServer(builder.Build(), token, control);
        await server._app.StartAsync();
        var address = server._app.Urls.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Queue faults for the next requests on a route, in order; normal handling resumes after them.</summary>
    public void Inject(Route route, Fault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(route, _ => new ConcurrentQueue<Fault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    public FakeRecord SeedContact(string email, string firstName, string lastName, string? id = null) =>
        Store(_contacts, id ?? NextId(ref _nextContactId), new() { ["email"] = email, ["firstname"] = firstName, ["lastname"] = lastName }, DateTimeOffset.UtcNow - TimeSpan.FromDays(1));

    public FakeRecord SeedCompany(string name, string domain, DateTimeOffset createdAt, string? id = null) =>
        Store(_companies, id ?? NextId(ref _nextCompanyId), new() { ["name"] = name, ["domain"] = domain }, createdAt);

    public void SeedAssociation(string contactId, string companyId)
    {
        lock (_lock)
        {
            _associations.Add((contactId, companyId));
        }
    }

    /// <summary>Forgets every record and request, as if HubSpot were a fresh portal.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _requests.Clear();
            _contacts.Clear();
            _companies.Clear();
            _associations.Clear();
            _recentCalls.Clear();
            _recentSearches.Clear();
        }

        _faults.Clear();
    }

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (Control && request.Path.StartsWithSegments("/_fake", StringComparison.Ordinal))
        {
            await HandleControlAsync(context);
            return;
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var path = request.Path.Value ?? "";
        var (route, ids) = Match(request.Method, path);
        var recorded = new RecordedRequest(
            request.Method,
            path,
            request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow,
            _clock.Elapsed,
            route);
        lock (_lock)
        {
            _requests.Add(recorded);
        }

        var correlationId = Guid.NewGuid().ToString();
        context.Response.Headers["X-HubSpot-Correlation-Id"] = correlationId;

        Fault? fault = null;
        if (route is { } r && _faults.TryGetValue(r, out var queue))
        {
            queue.TryDequeue(out fault);
        }

        if (fault is { Delay.Ticks: > 0 })
        {
            try
            {
                await Task.Delay(fault.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (fault is { DropConnection: true })
        {
            context.Abort();
            return;
        }

        Answer answer;
        if (fault?.Status is { } status)
        {
            answer = new Answer(status, fault.Body, fault.Headers);
        }
        else
        {
            answer = Handle(route, ids, request, body, correlationId);
        }

        if (fault is { LoseAnswer: true })
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body.Length > 0)
        {
            context.Response.ContentType = "application/json;charset=utf-8";
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    // Not HubSpot: a control plane for the standalone fake, never recorded as a request.
    async Task HandleControlAsync(HttpContext context)
    {
        switch (context.Request.Method, context.Request.Path.Value)
        {
            case ("POST", "/_fake/reset"):
                Reset();
                context.Response.StatusCode = 204;
                break;
            case ("GET", "/_fake/stats"):
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject
                {
                    ["requests"] = Requests.Count,
                    ["contacts"] = Contacts.Count,
                    ["companies"] = Companies.Count,
                    ["associations"] = Associations.Count,
                }.ToJsonString(), context.RequestAborted);
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }

    Answer Handle(Route? route, string[] ids, HttpRequest request, string body, string correlationId)
    {
        if (route is null)
        {
            // Fail closed: HubSpot answers unknown paths with 404 and an empty body.
            return new Answer(404, "");
        }

        if (!Authorized(request))
        {
            return Error(401, correlationId, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                new Dictionary<string, string> { ["X-HubSpot-Auth-Failure"] = "Invalid token" });
        }

        var scope = RequiredScope(route.Value);
        if (!GrantedScopes.Contains(scope))
        {
            return MissingScope(scope, correlationId);
        }

        if (RateLimited(route.Value, correlationId) is { } limited)
        {
            return limited;
        }

        var answer = route.Value switch
        {
            Route.CreateContact => CreateContact(body, correlationId),
            Route.ReadContact => ReadContact(ids[0], request.Query["idProperty"].ToString(), correlationId),
            Route.SearchCompanies => SearchCompanies(body, correlationId),
            Route.CreateCompany => CreateCompany(body, correlationId),
            Route.AssociateDefault => Associate(ids[0], ids[1], correlationId),
            _ => new Answer(404, ""),
        };
        return route == Route.SearchCompanies ? answer : answer with { Headers = RateLimitHeaders(answer.Headers) };
    }

    static (Route?, string[]) Match(string method, string path)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, []);
        }

        var segments = path[Prefix.Length..].Split('/');
        return (method, segments) switch
        {
            ("POST", ["contacts"]) => (Route.CreateContact, []),
            ("GET", ["contacts", var id]) when id.Length > 0 => (Route.ReadContact, [Uri.UnescapeDataString(id)]),
            ("POST", ["companies", "search"]) => (Route.SearchCompanies, []),
            ("POST", ["companies"]) => (Route.CreateCompany, []),
            ("PUT", ["contacts", var contactId, "associations", "default", "companies", var companyId]) => (Route.AssociateDefault, [contactId, companyId]),
            _ => (null, []),
        };
    }

    bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && header["Bearer ".Length..] == Token;
    }

    static string RequiredScope(Route route) => route switch
    {
        Route.CreateContact => "crm.objects.contacts.write",
        Route.ReadContact => "crm.objects.contacts.read",
        Route.SearchCompanies => "crm.objects.companies.read",
        Route.CreateCompany => "crm.objects.companies.write",
        _ => "crm.objects.contacts.write",
    };

    Answer? RateLimited(Route route, string correlationId)
    {
        var now = _clock.Elapsed;
        lock (_lock)
        {
            if (route == Route.SearchCompanies)
            {
                Trim(_recentSearches, now - TimeSpan.FromSeconds(1));
                if (_recentSearches.Count >= SearchSecondlyMax)
                {
                    return RateLimit(correlationId, "You have reached your secondly limit.", "SECONDLY");
                }

                _recentSearches.Enqueue(now);
            }

            Trim(_recentCalls, now - TimeSpan.FromSeconds(10));
            if (_recentCalls.Count >= TenSecondlyMax)
            {
                return RateLimit(correlationId, "You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING");
            }

            _recentCalls.Enqueue(now);
            return null;
        }

        static void Trim(Queue<TimeSpan> calls, TimeSpan since)
        {
            while (calls.Count > 0 && calls.Peek() < since)
            {
                calls.Dequeue();
            }
        }
    }

    Dictionary<string, string> RateLimitHeaders(IReadOnlyDictionary<string, string> headers)
    {
        int remaining;
        lock (_lock)
        {
            remaining = TenSecondlyMax - _recentCalls.Count;
        }

        return new Dictionary<string, string>(headers)
        {
            ["X-HubSpot-RateLimit-Max"] = TenSecondlyMax.ToString(CultureInfo.InvariantCulture),
            ["X-HubSpot-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture),
            ["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000",
            ["X-HubSpot-RateLimit-Daily"] = "250000",
            ["X-HubSpot-RateLimit-Daily-Remaining"] = "249000",
        };
    }

    Answer CreateContact(string body, string correlationId)
    {
        if (ParseProperties(body, correlationId, out var properties) is { } invalid)
        {
            return invalid;
        }

        var email = properties.GetValueOrDefault("email", "");
        if (!ValidEmail().IsMatch(email))
        {
            var detail = new JsonArray(new JsonObject
            {
                ["isValid"] = false,
                ["message"] = $"Email address {email} is invalid",
                ["error"] = "INVALID_EMAIL",
                ["name"] = "email",
            }).ToJsonString();
            return Error(400, correlationId, "VALIDATION_ERROR", $"Property values were not valid: {detail}");
        }

        lock (_lock)
        {
            var existing = _contacts.FirstOrDefault(c => string.Equals(c["email"], email, StringComparison.OrdinalIgnoreCase));
            if (existing is not null)
            {
                return Error(409, correlationId, "CONFLICT", $"Contact already exists. Existing ID: {existing.Id}");
            }

            return new Answer(201, RecordJson(Store(_contacts, NextId(ref _nextContactId), properties, DateTimeOffset.UtcNow), "contact"));
        }
    }

    Answer ReadContact(string idOrEmail, string idProperty, string correlationId)
    {
        FakeRecord? found;
        lock (_lock)
        {
            found = idProperty switch
            {
                "email" => _contacts.FirstOrDefault(c => string.Equals(c["email"], idOrEmail, StringComparison.OrdinalIgnoreCase)),
                "" or "hs_object_id" => _contacts.FirstOrDefault(c => c.Id == idOrEmail),
                _ => null,
            };
        }

        return found is null
            ? Error(404, correlationId, "OBJECT_NOT_FOUND", "resource not found")
            : new Answer(200, RecordJson(found, "contact"));
    }

    Answer SearchCompanies(string body, string correlationId)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON: {e.Message}");
        }

        var filters = root?["filterGroups"]?.AsArray().SelectMany(g => g?["filters"]?.AsArray() ?? []).ToList() ?? [];
        if (filters.Count == 0 || filters.Any(f => f?["operator"]?.GetValue<string>() != "EQ"))
        {
            return Error(400, correlationId, "VALIDATION_ERROR", "The fake only searches with EQ filters.");
        }

        var limit = root?["limit"]?.GetValue<int>() ?? 10;
        var visibleBefore = DateTimeOffset.UtcNow - SearchLag;
        List<FakeRecord> matches;
        lock (_lock)
        {
            matches = [.. _companies.Where(c => c.CreatedAt <= visibleBefore && filters.All(f =>
                string.Equals(c[f!["propertyName"]!.GetValue<string>()], f["value"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase)))];
        }

        var results = new JsonArray([.. matches.Take(limit).Select(c => JsonNode.Parse(RecordJson(c, "company")))]);
        return new Answer(200, new JsonObject { ["total"] = matches.Count, ["results"] = results }.ToJsonString());
    }

    Answer CreateCompany(string body, string correlationId)
    {
        if (ParseProperties(body, correlationId, out var properties) is { } invalid)
        {
            return invalid;
        }

        // HubSpot does not deduplicate companies created through the API.
        lock (_lock)
        {
            return new Answer(201, RecordJson(Store(_companies, NextId(ref _nextCompanyId), properties, DateTimeOffset.UtcNow), "company"));
        }
    }

    Answer Associate(string contactId, string companyId, string correlationId)
    {
        lock (_lock)
        {
            if (_contacts.All(c => c.Id != contactId) || _companies.All(c => c.Id != companyId))
            {
                return Error(404, correlationId, "OBJECT_NOT_FOUND", "One or more objects could not be found.");
            }

            _associations.Add((contactId, companyId));
        }

        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var envelope = new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(
                AssociationResult(contactId, companyId, 279),
                AssociationResult(companyId, contactId, 280)),
            ["startedAt"] = now,
            ["completedAt"] = now,
        };
        return new Answer(200, envelope.ToJsonString());

        static JsonObject AssociationResult(string from, string to, int typeId) => new()
        {
            ["from"] = new JsonObject { ["id"] = from },
            ["to"] = new JsonObject { ["id"] = to },
            ["associationSpec"] = new JsonObject { ["associationCategory"] = "HUBSPOT_DEFINED", ["associationTypeId"] = typeId },
        };
    }

    static Answer? ParseProperties(string body, string correlationId, out Dictionary<string, string> properties)
    {
        properties = [];
        try
        {
            if (JsonNode.Parse(body) is not JsonObject root || root["properties"] is not JsonObject values)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", "Invalid input JSON: expected an object with \"properties\".");
            }

            if (root["associations"] is { } associations && associations is not JsonArray)
            {
                return Error(400, correlationId, "VALIDATION_ERROR", "Invalid input JSON: \"associations\" must be a list.");
            }

            foreach (var (name, value) in values)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
                {
                    return Error(400, correlationId, "VALIDATION_ERROR", $"Property values were not valid: {name} must be a string.");
                }

                properties[name] = text;
            }

            return null;
        }
        catch (JsonException e)
        {
            return Error(400, correlationId, "VALIDATION_ERROR", $"Invalid input JSON on line 1: {e.Message}");
        }
    }

    FakeRecord Store(List<FakeRecord> records, string id, Dictionary<string, string> properties, DateTimeOffset createdAt)
    {
        var stamp = createdAt.ToString("O", CultureInfo.InvariantCulture);
        properties["hs_object_id"] = id;
        properties["createdate"] = stamp;
        properties["lastmodifieddate"] = stamp;
        var record = new FakeRecord(id, properties, createdAt);
        lock (_lock)
        {
            records.Add(record);
        }

        return record;
    }

    static string NextId(ref long next) => Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);

    static string RecordJson(FakeRecord record, string kind)
    {
        var stamp = record.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
        var properties = new JsonObject();
        foreach (var (name, value) in record.Properties)
        {
            properties[name] = value;
        }

        return new JsonObject
        {
            ["id"] = record.Id,
            ["properties"] = properties,
            ["createdAt"] = stamp,
            ["updatedAt"] = stamp,
            ["archived"] = false,
            ["url"] = $"https://app.hubspot.com/contacts/1/record/{kind}/{record.Id}",
        }.ToJsonString();
    }

    static Answer Error(int status, string correlationId, string category, string message, Dictionary<string, string>? headers = null) =>
        new(status, new JsonObject
        {
            ["status"] = "error",
            ["message"] = message,
            ["correlationId"] = correlationId,
            ["category"] = category,
        }.ToJsonString(), headers ?? []);

    static Answer MissingScope(string scope, string correlationId) =>
        new(403, new JsonObject
        {
            ["status"] = "error",
            ["message"] = "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
            ["correlationId"] = correlationId,
            ["errors"] = new JsonArray(new JsonObject
            {
                ["message"] = "One or more of the following scopes are required.",
                ["context"] = new JsonObject { ["requiredGranularScopes"] = new JsonArray(scope) },
            }),
            ["links"] = new JsonObject { ["scopes"] = "https://developers.hubspot.com/scopes" },
            ["category"] = "MISSING_SCOPES",
        }.ToJsonString(), new Dictionary<string, string>());

    static Answer RateLimit(string correlationId, string message, string policyName) =>
        new(429, new JsonObject
        {
            ["status"] = "error",
            ["message"] = message,
            ["errorType"] = "RATE_LIMIT",
            ["correlationId"] = correlationId,
            ["policyName"] = policyName,
        }.ToJsonString(), new Dictionary<string, string>());

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]
    private static partial Regex ValidEmail();

    sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public Answer(int status, string body) : this(status, body, new Dictionary<string, string>()) { }
    }
}
