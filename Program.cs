using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using DotNetEnv;
using DotNetEnv.Extensions;

// The story: configuration, arguments, three steps; every failure ends in the boundary below.
var step = "reading the configuration";
Terminal.UseUnicodeOnWindows();
Ensured? contact = null;
Ensured? company = null;
using var cancel = new CancellationTokenSource();
// Ctrl+C, SIGTERM, SIGHUP (terminal closed) cancel whatever is awaited, to the very end.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
try
{
    var dotEnv = DotEnvFile.Read(".env", Environment.GetEnvironmentVariable);
    // Before anything is printed: from here on the token shows as "(hidden)".
    Terminal.HideEverywhere(dotEnv.Get("HUBSPOT_KEY"));

    step = "reading the arguments";
    if (args is ["--help" or "-h"])
    {
        Terminal.Out(Usage.Lines);
        return ExitCode.Done;
    }

    var dryRun = args is ["--dry-run"];
    if (args.Length > 0 && !dryRun)
    {
        // Never echoed: it may be the token.
        Terminal.Error(["Unknown argument.", .. Usage.Lines]);
        return ExitCode.Usage;
    }

    step = "reading the configuration";
    var (settings, problems) = Settings.Load(dotEnv, dryRun);
    if (settings is null)
    {
        var heading = "Nothing was sent to HubSpot. Correct the configuration:";
        Terminal.Error([heading, .. problems.Select(problem => $"  - {problem}")]);
        return ExitCode.Usage;
    }

    if (dryRun)
    {
        PrintPlan(settings);
        return ExitCode.Done;
    }

    using var hubspot = new PacedHubSpotClient(settings);

    step = "creating the contact";
    (contact, var linkedCompanies) = await EnsureContactAsync(hubspot, settings, cancel.Token);
    Terminal.Out($"Contact {contact}: {settings.Contact}");

    step = "creating the company";
    company = await EnsureCompanyAsync(hubspot, settings, contact.Id, linkedCompanies, cancel.Token);
    Terminal.Out($"Company {company}: {OurCompany.Name} ({OurCompany.Domain})");

    step = "associating the contact with the company";
    await AssociateAsync(hubspot, contact.Id, company.Id, cancel.Token);
    Terminal.Out($"Contact {contact.Id} associated with company {company.Id}.");
    Terminal.Out($"Done: {hubspot.RequestsSent} requests to {hubspot.Destination}.");
    return ExitCode.Done;
}
catch (Exception e)
{
    // Expected failures arrive worded; the unforeseen is one line naming the step.
    var (line, exitCode) = e switch
    {
        CreateInDoubtException { Cancelled: true } => (e.Message, ExitCode.Cancelled),
        HubSpotException => (e.Message, ExitCode.Failed),
        OperationCanceledException when cancel.IsCancellationRequested => ("Cancelled.", ExitCode.Cancelled),
        _ => ($"Stopped by an unexpected {e.GetType().Name} while {step}: {Terminal.Quote(Terminal.Clause(e.Message))}.", ExitCode.Failed),
    };
    Terminal.Error(line, SoFar(contact, company, companyInDoubt: e is CreateInDoubtException));
    return exitCode;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

// Contacts are unique by email: on 409, read that one by email (no lag), with its companies.
static async Task<(Ensured, List<string>)> EnsureContactAsync(
    PacedHubSpotClient hubspot, Settings settings, CancellationToken ct)
{
    var answer = await hubspot.SendAsync(Api.CreateContact(settings), ct);
    if (answer.Status != 409)
    {
        return (new(answer.RecordId(), Created: true), []);
    }

    var existing = await hubspot.SendAsync(Api.ReadContact(settings.Email), ct);
    return (new(existing.RecordId(), Created: false), existing.CompanyIds());
}

// HubSpot does not deduplicate companies made through the API: look for ours first.
static async Task<Ensured> EnsureCompanyAsync(
    PacedHubSpotClient hubspot, Settings settings, string contactId, List<string> linked, CancellationToken ct)
{
    // The contact's companies do not lag; search does, by seconds.
    var ours = await OldestOfOursAsync(hubspot, linked, ct);
    if (ours is not null)
    {
        return new(ours, Created: false);
    }

    var search = await hubspot.SendAsync(Api.SearchCompany, ct);
    var found = search.OldestOfOurs(domainRequired: true);
    if (found is not null)
    {
        return new(found, Created: false);
    }

    return await CreateCompanyNeverTwiceAsync(hubspot, settings, contactId, ct);
}

// Never twice: a company create in doubt (HubSpot may have stored it: 500, 502, 504, 520, 524, no answer, an
// answer lost or cut, Ctrl+C on its way) is not sent again by this run. HubSpot may store it seconds later: look
// once, through the contact, then stop; a later run finds it there or creates it.
static async Task<Ensured> CreateCompanyNeverTwiceAsync(
    PacedHubSpotClient hubspot, Settings settings, string contactId, CancellationToken ct)
{
    CreateInDoubtException doubt;
    var sentBefore = hubspot.RequestsSent;
    try
    {
        var created = await hubspot.SendAsync(Api.CreateCompany(contactId), ct);
        return new(created.RecordId(), Created: true);
    }
    catch (CreateInDoubtException e)
    {
        doubt = e;
    }
    catch (OperationCanceledException) when (hubspot.RequestsSent > sentBefore)
    {
        // Ctrl+C once the create went out: in doubt, and no time to look.
        throw new CreateInDoubtException(Wording.CancelledInDoubt, "cancelled", cancelled: true);
    }
    catch (Exception e) when (e is not HubSpotException && hubspot.RequestsSent > sentBefore)
    {
        // Anything unforeseen once the create went out: in doubt too.
        var failure = new Failure(Trouble.Other, $"an unexpected {e.GetType().Name}");
        doubt = new CreateInDoubtException(Wording.InDoubt("creating the company", failure), failure.Reason, cancelled: false);
    }

    // Late creates land within seconds, as a rule.
    Terminal.Out($"Creating the company: {doubt.Reason}; checking in 5.0 s whether HubSpot stored it.");
    string? stored;
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var contact = await hubspot.SendAsync(Api.ReadContact(settings.Email), ct);
        stored = await OldestOfOursAsync(hubspot, contact.CompanyIds(), ct);
    }
    catch (OperationCanceledException) when (ct.IsCancellationRequested)
    {
        throw new CreateInDoubtException(Wording.CancelledInDoubt, doubt.Reason, cancelled: true);
    }
    catch (HubSpotException)
    {
        throw doubt;
    }

    if (stored is null)
    {
        throw doubt;
    }

    return new(stored, Created: true);
}

static async Task<string?> OldestOfOursAsync(PacedHubSpotClient hubspot, List<string> companyIds, CancellationToken ct)
{
    if (companyIds.Count == 0)
    {
        return null;
    }

    var companies = await hubspot.SendAsync(Api.ReadCompanies(companyIds), ct);
    return companies.OldestOfOurs(domainRequired: false);
}

// Safe to repeat. A 200 is no proof: COMPLETE without errors is.
static async Task AssociateAsync(PacedHubSpotClient hubspot, string contactId, string companyId, CancellationToken ct)
{
    var answer = await hubspot.SendAsync(Api.Associate(contactId, companyId), ct);
    var (status, error) = answer.Completion();
    if (error is null && status == "COMPLETE")
    {
        return;
    }

    var detail = error is null ? status : $"{status}: {error}";
    throw new HubSpotException($"HubSpot did not confirm that contact {contactId} is associated with company {companyId} " +
        $"({detail}). Run again in a minute, or associate them in HubSpot by hand.");
}

// Built by the functions that build the real requests.
static void PrintPlan(Settings settings)
{
    Terminal.Out("Dry run: nothing is sent. The plan:");
    Terminal.Out("1. Create the contact; on 409 (it exists), read it with its companies:");
    Show(Api.CreateContact(settings));
    Show(Api.ReadContact(settings.Email));
    Terminal.Out("2. Find the company among those companies, else by a search on its domain:");
    Show(Api.ReadCompanies(["{companyId}"]));
    Show(Api.SearchCompany);
    Terminal.Out("3. If none was found, create it, already associated with the contact:");
    Show(Api.CreateCompany("{contactId}"));
    Terminal.Out("4. Associate the contact with the company:");
    Show(Api.Associate("{contactId}", "{companyId}"));

    void Show(Call call)
    {
        Terminal.Out($"   {call.Method} {settings.ApiRoot}{call.Path}");
        if (call.Body is not null)
        {
            Terminal.Out($"   {call.Body}");
        }
    }
}

static string SoFar(Ensured? contact, Ensured? company, bool companyInDoubt)
{
    var contactState = contact is null ? "no contact yet" : $"contact {contact}";
    var companyState = company is null ? "no company yet" : $"company {company}";
    if (companyInDoubt)
    {
        return $"So far: {contactState}, the company perhaps stored.";
    }

    return $"So far: {contactState}, {companyState}. " +
        "Running again is safe: it reuses what exists and creates only what is missing.";
}

static class ExitCode
{
    public const int Done = 0, Failed = 1, Usage = 2, Cancelled = 130;
}

// Lines, not one text: a checkout's line endings (CRLF on Windows) stay out of the output.
static class Usage
{
    public static readonly string[] Lines =
    [
        $"HubSpotChallenge 1.0.0: creates a contact and the company \"{OurCompany.Name}\" in HubSpot, and associates them.",
        "Usage: dotnet run [-- --dry-run | --help]   (--dry-run prints the requests and sends nothing)",
        "Settings come from the environment, then from .env in the current directory; README.md lists them.",
    ];
}

static class OurCompany
{
    public const string Name = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";
}

sealed record Call(string Step, HttpMethod Method, string Path, string? Body = null)
{
    public int AlsoAccepted { get; init; }

    // In doubt, handed back unsent (CreateCompanyNeverTwiceAsync).
    public bool NeverTwice { get; init; }
}

// HubSpot's date-versioned API (v3 and v4 end in 2027). Ids in paths are digits (Answer.Id).
static class Api
{
    public const string Version = "2026-09";
    const string Contacts = $"/crm/objects/{Version}/contacts";
    const string Companies = $"/crm/objects/{Version}/companies";

    // Oldest first: the oldest match is on page one. The schema requires "after" and "sorts".
    public static readonly Call SearchCompany = new("searching for the company", HttpMethod.Post, $"{Companies}/search",
        $$"""{"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"{{OurCompany.Domain}}"}]}],"properties":["name","domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}""");

    public static Call CreateContact(Settings s)
    {
        var properties = $$"""{"email":{{Json(s.Email)}},"firstname":{{Json(s.FirstName)}},"lastname":{{Json(s.LastName)}}}""";
        var body = $$"""{"properties":{{properties}},"associations":[]}""";
        return new("creating the contact", HttpMethod.Post, Contacts, body) { AlsoAccepted = 409 };
    }

    public static Call ReadContact(string email)
    {
        var path = $"{Contacts}/{Uri.EscapeDataString(email)}?idProperty=email&associations=companies";
        return new("reading the contact's companies", HttpMethod.Get, path);
    }

    public static Call ReadCompanies(List<string> ids)
    {
        var inputs = string.Join(',', ids.Select(id => $$"""{"id":{{Json(id)}}}"""));
        var body = $$"""{"inputs":[{{inputs}}],"properties":["name","domain"],"propertiesWithHistory":[]}""";
        return new("reading the contact's companies", HttpMethod.Post, $"{Companies}/batch/read", body);
    }

    // Type 280, company to contact: born linked, so a re-run needs no search.
    public static Call CreateCompany(string contactId)
    {
        var body = $$"""{"properties":{"name":"{{OurCompany.Name}}","domain":"{{OurCompany.Domain}}"},"associations":[{"to":{"id":{{Json(contactId)}}},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}""";
        return new("creating the company", HttpMethod.Post, Companies, body) { NeverTwice = true };
    }

    public static Call Associate(string contactId, string companyId)
    {
        var path = $"{Contacts}/{contactId}/associations/default/companies/{companyId}";
        return new("associating the contact with the company", HttpMethod.Put, path);
    }

    static string Json(string value) =>
        $"\"{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
}

// The one way to HubSpot: 200 ms before every attempt; RetryPolicy judges each failure.
sealed class PacedHubSpotClient : IDisposable
{
    readonly HttpClient _http;
    readonly Settings _settings;

    public PacedHubSpotClient(Settings settings)
    {
        _settings = settings;
        // Only where pointed: no redirects, no proxy for this machine (it would see the token).
        var proxy = ProxyFor(settings.BaseUrl);
        Destination = settings.Host;
        if (proxy is not null)
        {
            Destination += $" through the proxy {Terminal.Quote(proxy.Authority)}";
        }

        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = proxy is not null };
        // 30 s for the whole exchange; answers here are a few KB, so 1 MB is plenty.
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = 1024 * 1024 };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HubSpotChallenge", "1.0.0"));
    }

    public string Destination { get; }

    public int RequestsSent { get; private set; }

    public async Task<Answer> SendAsync(Call call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The script's time.sleep(0.2): far below HubSpot's 100 requests in 10 s.
            await Task.Delay(200, ct);
            var (answer, failure) = await SendOnceAsync(call, ct);
            if (failure is null)
            {
                return answer!;
            }

            var decision = RetryPolicy.Decide(failure, attempt);
            // Never twice: a create in doubt goes back unsent (CreateCompanyNeverTwiceAsync).
            if (call.NeverTwice && decision.MayHaveHappened)
            {
                throw new CreateInDoubtException(Wording.InDoubt(call.Step, failure), failure.Reason, cancelled: false);
            }

            if (!decision.TryAgain)
            {
                throw new HubSpotException(Wording.Explain(call.Step, failure, decision, attempt, Destination));
            }

            var next = $"attempt {attempt + 1} of {RetryPolicy.MaxAttempts}";
            var stepName = $"{char.ToUpperInvariant(call.Step[0])}{call.Step[1..]}";
            Terminal.Out($"{stepName}: {decision.Reason}; trying again in {decision.Wait.TotalSeconds:0.0} s ({next}).");
            await Task.Delay(decision.Wait, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    async Task<(Answer? Answer, Failure? Failure)> SendOnceAsync(Call call, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(call.Method, _settings.ApiRoot + call.Path);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8);
            request.Content.Headers.ContentType = new("application/json");
        }
        RequestsSent++;
        try
        {
            using var response = await _http.SendAsync(request, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var answer = new Answer(call.Step, (int)response.StatusCode, bytes, mediaType, response.Headers);
            if (answer.Status is >= 200 and < 300 || answer.Status == call.AlsoAccepted)
            {
                return (answer, null);
            }

            return (null, new Failure(Trouble.Answered, $"HubSpot answered {answer.Label}", answer));
        }
        catch (HttpRequestException e)
        {
            return (null, Failure.Of(e));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, new Failure(Trouble.Timeout, "no answer within 30 s"));
        }
    }

    static Uri? ProxyFor(Uri baseUrl)
    {
        if (baseUrl.IsLoopback || HttpClient.DefaultProxy.IsBypassed(baseUrl))
        {
            return null;
        }

        return HttpClient.DefaultProxy.GetProxy(baseUrl);
    }
}

// Answered: HubSpot answered with a failing status. The others left no answer.
enum Trouble { Answered, Refused, Cut, Timeout, Other }

sealed record Failure(Trouble Trouble, string Reason, Answer? Answer = null)
{
    public int Status => Answer?.Status ?? 0;

    public static Failure Of(HttpRequestException e)
    {
        var cut = "the connection closed before the whole answer arrived";
        return e.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => new(Trouble.Refused, "the connection was refused or failed"),
            HttpRequestError.ResponseEnded => new(Trouble.Cut, cut),
            HttpRequestError.Unknown when e.InnerException is IOException => new(Trouble.Cut, cut),
            _ => new(Trouble.Other, Terminal.Quote(Terminal.Clause(e.Message))),
        };
    }
}

sealed record Decision(bool TryAgain, TimeSpan Wait, bool MayHaveHappened, bool TooLong, string Reason);

static class RetryPolicy
{
    public const int MaxAttempts = 4;

    // Longer, and the user is better told to run again later.
    static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    // The retry policy: try again, after how long, may HubSpot have done it, why (first match wins). Not acted on:
    // 503, 521-523, 423, 429, refused (sent again, a create too). In doubt: 500, 502, 504, 520, 524, no answer, a cut
    // one. Anything else is not worth another try; too large or not HTTP may have reached HubSpot.
    public static Decision Decide(Failure failure, int attempt)
    {
        var answer = failure.Answer;
        var (retryable, mayHaveHappened) = (failure.Trouble, failure.Status) switch
        {
            (Trouble.Refused, _) => (true, false),
            (Trouble.Cut or Trouble.Timeout, _) => (true, true),
            (Trouble.Answered, 429) when answer!.Policy == "DAILY" => (false, false),
            (Trouble.Answered, 423 or 429 or 503 or 521 or 522 or 523) => (true, false),
            (Trouble.Answered, 500 or 502 or 504 or 520 or 524) => (true, true),
            (Trouble.Answered, >= 500) => (false, true),
            (Trouble.Answered, _) => (false, false),
            _ => (false, true),
        };
        if (!retryable)
        {
            return new(false, TimeSpan.Zero, mayHaveHappened, TooLong: false, failure.Reason);
        }

        // HubSpot's Retry-After, else the window of the limit it named (search's own is a second, the others ten
        // seconds), else about 1, 2, 4 s, with jitter so that runs do not retry in step.
        var window = TimeSpan.FromSeconds(answer?.Policy == "SECONDLY" ? 1 : 10);
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));
        var wait = answer?.RetryAfter ?? (failure.Status == 429 ? window : backoff);
        var tooLong = wait > LongestWait;
        var tryAgain = attempt < MaxAttempts && !tooLong;
        return new(tryAgain, wait, mayHaveHappened, tooLong, failure.Reason);
    }
}

static class Wording
{
    const string RunAgainSoon = "Run again in a minute: the run finds it through the contact, or creates it.";

    public const string CancelledInDoubt = $"Cancelled while creating the company: HubSpot may have stored it. {RunAgainSoon}";

    public static string InDoubt(string step, Failure failure) =>
        $"HubSpot may have stored the company although its answer failed ({failure.Reason}) while {step}, " +
        $"so it was not sent again. {RunAgainSoon}{failure.Answer?.Correlation}";

    public static string Explain(string step, Failure failure, Decision decision, int attempts, string destination)
    {
        var answer = failure.Answer;
        var line = answer is null
            ? $"No usable answer from HubSpot at {destination} while {step}: {failure.Reason}. {Advice(answer)}"
            : $"{failure.Reason} while {step}: {answer.Message} {Advice(answer)}";

        if (decision.TooLong)
        {
            return $"{line} HubSpot asked to wait over a minute: run again later.{answer?.Correlation}";
        }

        var gaveUp = attempts > 1 ? $" Gave up after {attempts} attempts." : "";
        return $"{line}{gaveUp}{answer?.Correlation}";
    }

    static string Advice(Answer? answer) => answer?.Status switch
    {
        null => "Check HUBSPOT_BASE_URL and your connection.",
        >= 300 and < 400 => "HubSpot's API never redirects: check HUBSPOT_BASE_URL.",
        >= 500 => "Run again later.",
        _ when !answer.IsJson => "That is not HubSpot's JSON: check HUBSPOT_BASE_URL.",
        400 => "Correct what it names, in .env or in the portal's validation rules.",
        401 => "Check HUBSPOT_KEY: it may be expired, revoked, rotated, or another account's.",
        403 when answer.Category == "MISSING_SCOPES" =>
            "Grant the token crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read and crm.objects.companies.write, then run again.",
        403 => "Check that HUBSPOT_KEY belongs to the account you mean.",
        404 => "Check HUBSPOT_BASE_URL; if a record was deleted meanwhile, run again.",
        429 when answer.Policy == "DAILY" => "The daily limit resets at midnight in the account's time zone.",
        429 => "Wait a little, then run again.",
        477 => "The account is being migrated: run again later.",
        _ => "Check HUBSPOT_BASE_URL and status.hubspot.com.",
    };
}

class HubSpotException(string message) : Exception(message);

sealed class CreateInDoubtException(string message, string reason, bool cancelled) : HubSpotException(message)
{
    public string Reason => reason;

    public bool Cancelled => cancelled;
}

sealed record Ensured(string Id, bool Created)
{
    public override string ToString() => Created ? $"{Id} created" : $"{Id} already existed";
}

// HubSpot's answer, as UTF-8: a 2xx read strictly; an error loosely, for its words.
sealed class Answer(string step, int status, byte[] body, string? mediaType, HttpResponseHeaders headers)
{
    public int Status => status;

    JsonElement Json { get; } = Parse(body);

    public bool IsJson => Json.ValueKind != JsonValueKind.Undefined || body.Length == 0;

    public string MediaType => Terminal.Quote(mediaType ?? "no content type", 80);

    public string RecordId() => Id(Json);

    // Absent is a fact (or unusable, if required); present but of another kind, null too, is unusable.
    public JsonElement Field(JsonElement parent, string name, JsonValueKind kind, bool required = true)
    {
        if (Json.ValueKind == JsonValueKind.Undefined)
        {
            throw Unusable($"{MediaType}, not JSON");
        }

        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw Unusable($"{parent.ValueKind} where an object belongs");
        }

        var present = parent.TryGetProperty(name, out var value);
        if (!present && required)
        {
            throw Unusable($"no '{name}'");
        }

        if (!present)
        {
            return default;
        }

        if (value.ValueKind != kind)
        {
            throw Unusable($"'{name}' is {value.ValueKind}, not {kind}");
        }

        return value;
    }

    // Text, or unusable when not valid text (a lone surrogate, broken UTF-8).
    public string? Text(JsonElement parent, string name, bool required = true)
    {
        var value = Field(parent, name, JsonValueKind.String, required);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        return TextOf(value) ?? throw Unusable($"'{name}' is not valid text");
    }

    public string Id(JsonElement record)
    {
        var id = Text(record, "id")!;
        if (id.Length == 0 || id.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw Unusable("an id that is not decimal digits");
        }

        return id;
    }

    // The oldest with exactly our domain (search matches words); a search hit must carry one. A batch read's status,
    // if given, must be COMPLETE. A property without a value is null or left out.
    public string? OldestOfOurs(bool domainRequired)
    {
        var status = Text(Json, "status", required: false);
        if (status is not null && status != "COMPLETE")
        {
            throw Unusable("a status other than COMPLETE");
        }

        // A batch read lists what it could not read: gone (OBJECT_NOT_FOUND) is a fact; any other error leaves
        // a company of ours unknown, and creating one could make a second.
        var errors = Field(Json, "errors", JsonValueKind.Array, required: false);
        var unread = errors.ValueKind == JsonValueKind.Array && errors.EnumerateArray().Any(e => Loose(e, "category") != "OBJECT_NOT_FOUND");
        if (unread)
        {
            throw Unusable("a company it could not read");
        }

        string? oldestId = null;
        var oldestAt = DateTimeOffset.MaxValue;
        foreach (var company in Field(Json, "results", JsonValueKind.Array).EnumerateArray())
        {
            var id = Id(company);
            var createdAt = Field(company, "createdAt", JsonValueKind.String);
            var properties = Field(company, "properties", JsonValueKind.Object);
            var noValue = properties.TryGetProperty("domain", out var value) && value.ValueKind == JsonValueKind.Null;
            var domain = noValue ? null : Text(properties, "domain", required: false);
            if (domain is null && domainRequired)
            {
                throw Unusable("a search hit without its 'domain'");
            }

            if (!createdAt.TryGetDateTimeOffset(out var date))
            {
                throw Unusable("a 'createdAt' that is not a date");
            }

            var ours = string.Equals(domain?.Trim(), OurCompany.Domain, StringComparison.OrdinalIgnoreCase);
            if (ours && date < oldestAt)
            {
                (oldestId, oldestAt) = (id, date);
            }
        }

        return oldestId;
    }

    // Each once: HubSpot lists a company per association label.
    public List<string> CompanyIds()
    {
        var associations = Field(Json, "associations", JsonValueKind.Object, required: false);
        List<string> ids = [];
        if (associations.ValueKind == JsonValueKind.Undefined)
        {
            return ids;
        }

        var companies = Field(associations, "companies", JsonValueKind.Object, required: false);
        if (companies.ValueKind == JsonValueKind.Undefined)
        {
            return ids;
        }

        foreach (var company in Field(companies, "results", JsonValueKind.Array).EnumerateArray())
        {
            var id = Id(company);
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    public (string Status, string? Error) Completion()
    {
        var completion = Terminal.Quote(Text(Json, "status")!, 40);
        var errors = Field(Json, "errors", JsonValueKind.Array, required: false);
        if (errors.ValueKind == JsonValueKind.Undefined || errors.GetArrayLength() == 0)
        {
            return (completion, null);
        }

        return (completion, Terminal.Quote(Loose(errors[0], "message") ?? "no message"));
    }

    // A 2xx is no proof: without what the program needs it is a failure, never "nothing found".
    public HubSpotException Unusable(string detail) =>
        new($"HubSpot answered {status} while {step} without what the program needs ({detail}): " +
            "check that HUBSPOT_BASE_URL points at HubSpot's API. Running again is safe.");

    // Errors are read loosely: a field missing or of another kind is left out.
    public string? Policy => Loose(Json, "policyName");

    public string? Category => Loose(Json, "category");

    public string Label
    {
        get
        {
            var category = Category ?? Policy;
            return category is null ? $"{status}" : $"{status} {Terminal.Quote(category, 60)}";
        }
    }

    public string Message
    {
        get
        {
            var message = Loose(Json, "message");
            if (string.IsNullOrWhiteSpace(message))
            {
                return IsJson ? "(no message)." : $"(a {MediaType} page).";
            }

            var quoted = Terminal.Quote(message.Trim());
            return quoted.EndsWith('.') ? quoted : $"{quoted}.";
        }
    }

    public string Correlation
    {
        get
        {
            var id = Loose(Json, "correlationId");
            if (id is null && headers.TryGetValues("X-HubSpot-Correlation-Id", out var values))
            {
                id = values.First();
            }

            return id is null ? "" : $" (correlation id {Terminal.Quote(id, 80)})";
        }
    }

    // In seconds or as a date; one that cannot be read is left out.
    public TimeSpan? RetryAfter
    {
        get
        {
            var asked = headers.RetryAfter;
            if (asked?.Date is { } date)
            {
                return date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero;
            }

            return asked?.Delta;
        }
    }

    static string? Loose(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? TextOf(value) : null;
    }

    // Such a string throws only when it is read.
    static string? TextOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    static JsonElement Parse(byte[] bytes)
    {
        try
        {
            // Duplicate names are refused: which value counts would be a guess.
            return JsonElement.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return default;
        }
    }
}

sealed record Settings(string Token, string FirstName, string LastName, string Email, Uri BaseUrl)
{
    // HUBSPOT_KEY's value in .env.example.
    public const string ExamplePlaceholder = "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    // Latin letters from U+00C0 and U+1E00 as the first ASCII letter AnyAscii gives them; '_': none.
    const string FoldFrom00C0 =
        "aaaaaaaceeeeiiiidnooooo_ouuuuytsaaaaaaaceeeeiiiidnooooo_ouuuuytyaaaaaaccccccccddddeeeeeeeeeegggggggg" +
        "hhhhiiiiiiiiiiiijjkkqllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsbbbb__oc" +
        "cddddzeeeffgghiikkllwnnoooggppr____ttttuuuvyyzz________wcx_qdddlllnnnaaiioouuuuuuuuuueaaaaaaggggkkoo" +
        "oo__jdddgghwnnaaaaooaaaaeeeeiiiioooorrrruuuussttyyhhndoozzaaeeooooooooyylntj__accltsz__buaeejjqqrryy";

    const string FoldFrom1E00 =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssss" +
        "ssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyassssdaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeee" +
        "iiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyllvvyy";

    public string Host => Terminal.Quote($"{BaseUrl.Authority}{BaseUrl.AbsolutePath.TrimEnd('/')}");

    public string ApiRoot => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public string Contact => Terminal.Quote($"{FirstName} {LastName} <{Email}>");

    // Every problem at once.
    public static (Settings? Settings, List<string> Problems) Load(DotEnvFile dotEnv, bool dryRun)
    {
        var token = dotEnv.Get("HUBSPOT_KEY");
        var firstName = dotEnv.Get("FIRSTNAME");
        var lastName = dotEnv.Get("LASTNAME");
        List<string> problems = [.. dotEnv.Problems];
        // A dry run needs no token.
        string?[] found =
        [
            dryRun ? null : TokenProblem(token, dotEnv),
            NameProblem("FIRSTNAME", firstName, "the contact's first name", dotEnv),
            NameProblem("LASTNAME", lastName, "the contact's last name", dotEnv),
        ];
        problems.AddRange(found.OfType<string>());
        var url = ReadBaseUrl(dotEnv.Get("HUBSPOT_BASE_URL"), problems);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new Settings(token, firstName, lastName, EmailFromNames(firstName, lastName), url!), problems);
    }

    static string? TokenProblem(string token, DotEnvFile dotEnv)
    {
        if (token.Length == 0)
        {
            return dotEnv.NotSet("HUBSPOT_KEY", "your service key or private app token");
        }

        // The most common first mistake: .env copied from .env.example, the token not filled in.
        if (token.Equals(ExamplePlaceholder, StringComparison.OrdinalIgnoreCase))
        {
            return $"HUBSPOT_KEY in {dotEnv.Source("HUBSPOT_KEY")} is still the placeholder from .env.example: " +
                "put your service key or private app token there.";
        }

        if (token.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return "HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone.";
        }

        return null;
    }

    // A fictional email, firstname.lastname@example.com: accents folded, the rest dropped.
    public static string EmailFromNames(string firstName, string lastName)
    {
        // At most 31 letters each: within the 64 allowed before the @ (RFC 5321).
        string[] names = [Fold(firstName), Fold(lastName)];
        var shortened = names.Where(name => name.Length > 0).Select(name => name[..Math.Min(name.Length, 31)]);
        var localPart = string.Join('.', shortened);
        return localPart.Length > 0 ? $"{localPart}@example.com" : "contact@example.com";
    }

    static string? NameProblem(string name, string value, string what, DotEnvFile dotEnv)
    {
        if (value.Length == 0)
        {
            return dotEnv.NotSet(name, what);
        }

        var invisible = Terminal.FirstInvisible(value);
        if (invisible >= 0)
        {
            return $"{name} contains a control or invisible character (U+{invisible:X4}): write it as plain text.";
        }

        return null;
    }

    // http only to this machine. A user name or password would be echoed: refused unquoted.
    static Uri? ReadBaseUrl(string text, List<string> problems)
    {
        if (text.Length == 0)
        {
            return new Uri("https://api.hubapi.com");
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            problems.Add("HUBSPOT_BASE_URL contains a user name or password (before an @): remove it.");
            return null;
        }

        Uri.TryCreate(text, UriKind.Absolute, out var url);
        var https = url?.Scheme == Uri.UriSchemeHttps;
        var local = url?.Scheme == Uri.UriSchemeHttp && url.IsLoopback;
        if ((https || local) && url!.Query.Length == 0 && url.Fragment.Length == 0)
        {
            return url;
        }

        var quoted = Terminal.Quote(text, 80);
        problems.Add($"HUBSPOT_BASE_URL '{quoted}' is not an https URL like https://api.hubapi.com (http:// only to this machine).");
        return null;
    }

    static string Fold(string name)
    {
        var folded = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            var letter = c switch
            {
                >= 'a' and <= 'z' or >= '0' and <= '9' => c,
                >= '\u00C0' and <= '\u024F' => FoldFrom00C0[c - 0xC0],
                >= '\u1E00' and <= '\u1EFF' => FoldFrom1E00[c - 0x1E00],
                _ => '_',
            };
            if (letter != '_')
            {
                folded.Append(letter);
            }
        }

        return folded.ToString();
    }
}

// .env as python-dotenv reads it: the last of two equal names wins; '$' is literal but in ${NAME}.
sealed record DotEnvFile(string Path, bool Found, Dictionary<string, string> Values, List<string> Problems,
    Func<string, string?> Environment)
{
    // The environment wins over .env, as with python-dotenv; empty counts as unset.
    public string Get(string name)
    {
        var set = Environment(name);
        return string.IsNullOrWhiteSpace(set) ? Values.GetValueOrDefault(name, "").Trim() : set.Trim();
    }

    // Where a variable's value came from, for a message.
    public string Source(string name) =>
        string.IsNullOrWhiteSpace(Environment(name)) ? Terminal.Quote(Path) : "your environment";

    // Why a variable has no value; nothing when .env could not be read, the one problem to fix first.
    public string? NotSet(string name, string what)
    {
        if (Problems.Count > 0)
        {
            return null;
        }

        var path = Terminal.Quote(Path);

        if (Values.ContainsKey(name))
        {
            return $"{name} is empty in {path}: put {what} there (${{NAME}} is taken from the environment only).";
        }

        if (!Found)
        {
            var folder = Terminal.Quote(System.IO.Path.GetDirectoryName(Path)!);
            return $"{name} is not set, and there is no .env in {folder}: run the program from the folder that holds .env.";
        }

        return $"{name} is not in {path}: put {what} there.";
    }

    // From the current directory (python-dotenv looks upward from the script).
    public static DotEnvFile Read(string name, Func<string, string?> environment)
    {
        var path = System.IO.Path.GetFullPath(name);
        var quoted = Terminal.Quote(path);
        string text;
        try
        {
            text = Decode(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            var problem = $"{quoted} is not UTF-8 (older Windows editors save Windows-1252), so none of its values were read: " +
                "save it as UTF-8.";
            return new(path, true, [], [problem], environment);
        }
        catch (FileNotFoundException) when (new FileInfo(path).LinkTarget is null)
        {
            // No .env is no problem; a link to a missing one is.
            return new(path, false, [], [], environment);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = $"{quoted} could not be read ({Terminal.Quote(Terminal.Clause(e.Message))}): " +
                "it must be a readable file of NAME=value lines.";
            return new(path, true, [], [problem], environment);
        }

        try
        {
            return new(path, true, Parse(text), [], environment);
        }
        catch (Sprache.ParseException e)
        {
            return new(path, true, [], [$"{quoted} {ParseProblem(text, e.Position.Line)}"], environment);
        }
    }

    // UTF-8, with or without a byte order mark, or UTF-16 with one, each decoded strictly; anything else (Windows-1252,
    // Latin-1, UTF-32) is refused, not guessed.
    static string Decode(byte[] bytes)
    {
        (Encoding? Encoding, int Mark) found = bytes switch
        {
            [0xFF, 0xFE, 0, 0, ..] or [0, 0, 0xFE, 0xFF, ..] => (null, 0),
            [0xEF, 0xBB, 0xBF, ..] => (new UTF8Encoding(false, throwOnInvalidBytes: true), 3),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, false, throwOnInvalidBytes: true), 2),
            _ => (new UTF8Encoding(false, throwOnInvalidBytes: true), 0),
        };
        var (encoding, mark) = found;
        if (encoding is null)
        {
            throw new DecoderFallbackException("UTF-32");
        }

        return encoding.GetString(bytes, mark, bytes.Length - mark);
    }

    // The parser's message quotes the text, maybe the token: the line number only.
    static string ParseProblem(string text, int line)
    {
        var none = "so none of its values were read";
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return $"is UTF-16 without a byte order mark, {none}: save it as UTF-8.";
        }

        if (!text.Contains('\n', StringComparison.Ordinal))
        {
            return $"has old Mac line endings (CR only), {none}: save it with LF line endings.";
        }

        var value = text.Split('\n')[line - 1].Split('=', 2)[^1].Trim();
        var unclosed = value.Count(c => c == '"') == 1 || (value.StartsWith('\'') && value.Count(c => c == '\'') == 1);
        if (unclosed)
        {
            return $"line {line} opens a quote it never closes, {none}: close it, e.g. LASTNAME=\"O'Brien\".";
        }

        return $"could not be parsed at line {line}, {none}: put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".";
    }

    // DotNetEnv would expand $NAME too: dollars stand aside as U+FDD0 while it parses.
    public static Dictionary<string, string> Parse(string text)
    {
        var guarded = text.Replace("${", "\uFDD1", StringComparison.Ordinal).Replace('$', '\uFDD0');
        guarded = guarded.Replace("\uFDD1", "${", StringComparison.Ordinal);
        var pairs = Env.LoadContents(guarded, Env.NoEnvVars()).ToDotEnvDictionary(CreateDictionaryOption.TakeLast);
        return pairs.ToDictionary(pair => pair.Key, pair => pair.Value.Replace('\uFDD0', '$'));
    }
}

static class Terminal
{
    static string? _token;

    // A Windows console shows text in its code page: UTF-16 reaches it whole (WriteConsoleW), and its code page is
    // left as it was for the shell after us. A file or a pipe gets UTF-8, as on Linux and macOS.
    public static void UseUnicodeOnWindows()
    {
        if (!OperatingSystem.IsWindows())
        {
            return;
        }

        Console.OutputEncoding = Encoding.Unicode;
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        if (Console.IsOutputRedirected)
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = true });
        }

        if (Console.IsErrorRedirected)
        {
            Console.SetError(new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true });
        }
    }

    // A shorter "token" would hide ordinary words.
    public static void HideEverywhere(string token) => _token = token.Length >= 8 ? token : null;

    // Text from outside (answers, .env, arguments, exceptions) enters a message only here: the token is hidden first,
    // then every control, line-break and invisible character is escaped, and only then is it shortened.
    public static string Quote(string text, int longest = 300)
    {
        var printable = Printable(text);
        if (printable.Length <= longest)
        {
            return printable;
        }

        var cut = char.IsHighSurrogate(printable[longest - 4]) ? longest - 4 : longest - 3;
        return $"{printable[..cut]}...";
    }

    // Each whole line once more: no line can show the token or break in two.
    public static void Out(params IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Console.Out.WriteLine(Printable(line));
        }
    }

    // A stderr that cannot be written loses the lines, not the exit code.
    public static void Error(params IEnumerable<string> lines)
    {
        try
        {
            foreach (var line in lines)
            {
                Console.Error.WriteLine(Printable(line));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static int FirstInvisible(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var (codePoint, length, invisible) = CharacterAt(text, i);
            if (invisible)
            {
                return codePoint;
            }

            i += length;
        }

        return -1;
    }

    public static string Clause(string text) => text.Trim().TrimEnd('.');

    // The token, and any 12 characters of it in any case: an echo may cut it or change it.
    static string Hide(string text)
    {
        if (_token is null)
        {
            return text;
        }

        var hidden = text.Replace(_token, "(hidden)", StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i + 12 <= _token.Length; i++)
        {
            hidden = hidden.Replace(_token.Substring(i, 12), "(hidden)", StringComparison.OrdinalIgnoreCase);
        }

        return hidden;
    }

    static string Printable(string text)
    {
        var hidden = Hide(text);
        if (FirstInvisible(hidden) < 0)
        {
            return hidden;
        }

        var shown = new StringBuilder();
        for (var i = 0; i < hidden.Length;)
        {
            var (codePoint, length, invisible) = CharacterAt(hidden, i);
            var escaped = codePoint <= 0xFFFF ? $"\\u{codePoint:X4}" : $"\\U{codePoint:X8}";
            shown.Append(invisible ? escaped : hidden.Substring(i, length));
            i += length;
        }

        return shown.ToString();
    }

    // Invisible, of any plane: controls, separators, format characters but U+200C/D (emoji use them), private
    // use, unassigned, lone surrogates.
    static (int CodePoint, int Length, bool Invisible) CharacterAt(string text, int i)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length) != OperationStatus.Done)
        {
            return (text[i], 1, true);
        }

        var invisible = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
            UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => true,
            UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
            // Default-ignorable letters and marks, but emoji's variation selectors.
            _ => rune.Value is 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or (>= 0xFE00 and <= 0xFE0D) or (>= 0xE0100 and <= 0xE01EF),
        };
        return (rune.Value, length, invisible);
    }
}
