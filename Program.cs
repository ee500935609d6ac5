using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

using DotNetEnv;
using DotNetEnv.Extensions;

// The story: configuration, arguments, three steps; every failure ends in the boundary below.
Terminal.UseUnicodeOnWindows();
var step = "reading the configuration";
Ensured? contact = null;
Ensured? company = null;
using var cancel = new CancellationTokenSource();
// Ctrl+C, SIGTERM, SIGHUP (terminal closed) cancel whatever is awaited, to the very end.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
try
{
    var dotEnv = await DotEnvFile.ReadAsync(".env", Environment.GetEnvironmentVariable, cancel.Token);
    // Before anything is printed: from here on the token shows as "(hidden)".
    Terminal.HideEverywhere(dotEnv.Get("HUBSPOT_KEY"));

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
        InDoubtException when cancel.IsCancellationRequested => (e.Message, ExitCode.Cancelled),
        HubSpotException => (e.Message, ExitCode.Failed),
        OperationCanceledException when cancel.IsCancellationRequested => ("Cancelled.", ExitCode.Cancelled),
        _ => ($"Stopped by an unexpected {e.GetType().Name} while {step}: {Terminal.Quote(Terminal.Clause(e.Message))}.", ExitCode.Failed),
    };
    Terminal.Error(line, SoFar(contact, company, companyInDoubt: e is InDoubtException));
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
        var created = answer.Read(HubSpotJson.Default.Created);
        return (new(created.Id, Created: true), []);
    }

    var existing = await hubspot.SendAsync(Api.ReadContact(settings.Email), ct);
    var contact = existing.Read(HubSpotJson.Default.Contact);
    return (new(contact.Id, Created: false), contact.CompanyIds());
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
    var found = search.Read(HubSpotJson.Default.Companies).OldestOfOurs(search, asked: null);
    if (found is not null)
    {
        return new(found, Created: false);
    }

    return await CreateCompanyNeverTwiceAsync(hubspot, settings, contactId, ct);
}

// Never twice: HubSpot does not deduplicate companies, so a create it may have carried out is not sent again; one
// it did not handle is. A create in doubt may land seconds later: look once, 5 s later, through the contact.
static async Task<Ensured> CreateCompanyNeverTwiceAsync(
    PacedHubSpotClient hubspot, Settings settings, string contactId, CancellationToken ct)
{
    var call = Api.CreateCompany(contactId);
    string doubt;
    var correlation = "";
    for (var attempt = 1; ; attempt++)
    {
        var (answer, failure) = await hubspot.SendOnceAsync(call, attempt, ct);
        if (failure is null)
        {
            try
            {
                return new(answer.Read(HubSpotJson.Default.Created).Id, Created: true);
            }
            catch (HubSpotException)
            {
                doubt = $"HubSpot answered {answer.Status} without the company's id";
                break;
            }
        }

        // Ctrl+C while the create was on its way: in doubt, and no time to look.
        if (ct.IsCancellationRequested)
        {
            throw new InDoubtException(Wording.CancelledInDoubt);
        }

        // Before TryAgain: what the other requests may send again, this one may not.
        if (failure.MayHaveHappened)
        {
            (doubt, correlation) = (failure.Reason, answer.Correlation);
            break;
        }

        if (!failure.TryAgain)
        {
            throw hubspot.Failed(call, failure, attempt);
        }

        await PacedHubSpotClient.WaitToRetryAsync(call, failure, attempt, ct);
    }

    // From here on, every way out is the company found, or still in doubt.
    try
    {
        Terminal.Out($"Creating the company: {doubt}; checking in 5.0 s whether HubSpot stored it.");
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var read = await hubspot.SendAsync(Api.ReadContact(settings.Email), ct);
        var stored = await OldestOfOursAsync(hubspot, read.Read(HubSpotJson.Default.Contact).CompanyIds(), ct);
        if (stored is not null)
        {
            return new(stored, Created: true);
        }
    }
    catch (Exception) when (ct.IsCancellationRequested)
    {
        throw new InDoubtException(Wording.CancelledInDoubt);
    }
    catch (Exception)
    {
        // The look failed (HubSpot, the network, the terminal): the company stays in doubt.
    }

    throw new InDoubtException(Wording.InDoubt(doubt) + correlation);
}

static async Task<string?> OldestOfOursAsync(PacedHubSpotClient hubspot, List<string> companyIds, CancellationToken ct)
{
    if (companyIds.Count == 0)
    {
        return null;
    }

    var answer = await hubspot.SendAsync(Api.ReadCompanies(companyIds), ct);
    return answer.Read(HubSpotJson.Default.Companies).OldestOfOurs(answer, asked: companyIds);
}

// Safe to repeat. A 200 is no proof: COMPLETE without errors is.
static async Task AssociateAsync(PacedHubSpotClient hubspot, string contactId, string companyId, CancellationToken ct)
{
    var answer = await hubspot.SendAsync(Api.Associate(contactId, companyId), ct);
    var association = answer.Read(HubSpotJson.Default.Association);
    var errors = association.Errors ?? [];
    if (errors.Count == 0 && association.Status == "COMPLETE")
    {
        return;
    }

    var status = Terminal.Quote(association.Status, 40);
    var detail = errors.Count == 0 ? status : $"{status}: {Terminal.Quote(errors[0]?.Message ?? "no message")}";
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

sealed record Call(string Step, HttpMethod Method, string Path, string? Body = null, int AlsoAccepted = 0);

// HubSpot's date-versioned API (v3 and v4 end in 2027). Ids in paths are digits (DecimalId).
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
        return new("creating the contact", HttpMethod.Post, Contacts, body, AlsoAccepted: 409);
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
        return new("creating the company", HttpMethod.Post, Companies, body);
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
        // For the whole exchange; answers here are a few KB, so 1 MB is plenty.
        var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
        _http = new HttpClient(handler) { Timeout = timeout, MaxResponseContentBufferSize = 1024 * 1024 };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HubSpotChallenge", "1.0.0"));
    }

    public const int TimeoutSeconds = 30;

    public string Destination { get; }

    public int RequestsSent { get; private set; }

    // Every request but the company create (CreateCompanyNeverTwiceAsync has its own loop).
    public async Task<Answer> SendAsync(Call call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (answer, failure) = await SendOnceAsync(call, attempt, ct);
            if (failure is null)
            {
                return answer;
            }

            ct.ThrowIfCancellationRequested();
            if (!failure.TryAgain)
            {
                throw Failed(call, failure, attempt);
            }

            await WaitToRetryAsync(call, failure, attempt, ct);
        }
    }

    // One attempt: an answer of 2xx (or the one the call also accepts), else RetryPolicy's decision on it.
    public async Task<(Answer Answer, Decision? Failure)> SendOnceAsync(Call call, int attempt, CancellationToken ct)
    {
        // The script's time.sleep(0.2): far below HubSpot's 100 requests in 10 s.
        await Task.Delay(200, ct);
        using var request = new HttpRequestMessage(call.Method, _settings.ApiRoot + call.Path);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
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

            return (answer, RetryPolicy.Decide(answer, null, attempt));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (Answer.None(call.Step), RetryPolicy.Decide(null, e, attempt));
        }
    }

    public static async Task WaitToRetryAsync(Call call, Decision failure, int attempt, CancellationToken ct)
    {
        var next = $"attempt {attempt + 1} of {RetryPolicy.MaxAttempts}";
        var stepName = $"{char.ToUpperInvariant(call.Step[0])}{call.Step[1..]}";
        Terminal.Out($"{stepName}: {failure.Reason}; trying again in {failure.Wait.TotalSeconds:0.0} s ({next}).");
        await Task.Delay(failure.Wait, ct);
    }

    public HubSpotException Failed(Call call, Decision failure, int attempts) =>
        new(Wording.Explain(call.Step, failure, attempts, Destination));

    public void Dispose() => _http.Dispose();

    static Uri? ProxyFor(Uri baseUrl)
    {
        if (baseUrl.IsLoopback || HttpClient.DefaultProxy.IsBypassed(baseUrl))
        {
            return null;
        }

        return HttpClient.DefaultProxy.GetProxy(baseUrl);
    }
}

// What a failed attempt means: try again (after Wait), may HubSpot have done it, and why, in words.
sealed record Decision(bool TryAgain, TimeSpan Wait, bool MayHaveHappened, bool TooLong, string Reason, Answer? Answer);

static class RetryPolicy
{
    public const int MaxAttempts = 4;

    // Longer, and the user is better told to run again later.
    static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    // The retry policy, first match wins. Retryable: not handled by HubSpot (423, 429, 503, 521-523, refused), or
    // in doubt (500, 502, 504, 520, 524, no answer, a cut one). Anything else is not worth another try.
    public static Decision Decide(Answer? answer, Exception? error, int attempt)
    {
        var cut = "the connection closed before the whole answer arrived";
        var (retryable, mayHaveHappened, reason) = error switch
        {
            TaskCanceledException { InnerException: TimeoutException } =>
                (true, true, $"no answer within {PacedHubSpotClient.TimeoutSeconds} s"),
            OperationCanceledException => (false, true, "cancelled"),
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } =>
                (true, false, "the connection was refused or failed"),
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => (true, true, cut),
            HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } =>
                (true, true, cut),
            not null => (false, true, Terminal.Quote(Terminal.Clause(error.Message))),
            null => answer!.Status switch
            {
                429 when answer.Policy == "DAILY" => (false, false, answer.Reason),
                423 or 429 or 503 or 521 or 522 or 523 => (true, false, answer.Reason),
                500 or 502 or 504 or 520 or 524 => (true, true, answer.Reason),
                >= 500 => (false, true, answer.Reason),
                _ => (false, false, answer.Reason),
            },
        };

        // Retry-After, else the named limit's window (search's own is a second), else 1, 2, 4 s jittered apart.
        var window = TimeSpan.FromSeconds(answer?.Policy == "SECONDLY" ? 1 : 10);
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));
        var wait = answer?.RetryAfter ?? (answer?.Status == 429 ? window : backoff);
        var tooLong = retryable && wait > LongestWait;
        var tryAgain = retryable && !tooLong && attempt < MaxAttempts;
        return new(tryAgain, retryable ? wait : TimeSpan.Zero, mayHaveHappened, tooLong, reason, answer);
    }
}

static class Wording
{
    const string RunAgainSoon = "Run again in a minute: the run finds it through the contact, or creates it.";

    public const string CancelledInDoubt = $"Cancelled while creating the company: HubSpot may have stored it. {RunAgainSoon}";

    public static string InDoubt(string reason) =>
        $"HubSpot may have stored the company although its answer failed ({reason}) while creating the company, " +
        $"so it was not sent again. {RunAgainSoon}";

    public static string Explain(string step, Decision failure, int attempts, string destination)
    {
        var answer = failure.Answer;
        var line = answer is null
            ? $"No usable answer from HubSpot at {destination} while {step}: {failure.Reason}. {Advice(answer)}"
            : $"{failure.Reason} while {step}: {answer.Message} {Advice(answer)}";

        if (failure.TooLong)
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

sealed class InDoubtException(string message) : HubSpotException(message);

sealed record Ensured(string Id, bool Created)
{
    public override string ToString() => Created ? $"{Id} created" : $"{Id} already existed";
}

// HubSpot's answer, as UTF-8: a 2xx read strictly into the records below; an error loosely, for its words.
sealed class Answer(string step, int status, byte[] body, string? mediaType, HttpResponseHeaders? headers)
{
    public int Status => status;

    // No answer at all (the connection failed): nothing to read.
    public static Answer None(string step) => new(step, 0, [], null, null);

    // An error's words; an error that is not such JSON (a page, a field of another kind) has none.
    HubSpotError? Error { get; } = ReadLoosely(body);

    public bool IsJson => body.Length == 0 || Error is not null;

    string MediaType => Terminal.Quote(mediaType ?? "no content type", 80);

    // Strictly, by the records' types below; anything else is unusable.
    public T Read<T>(JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new JsonException();
        }
        catch (JsonException e)
        {
            throw Unusable($"{MediaType}, nothing usable at {Terminal.Quote(e.Path ?? "$", 80)}");
        }
    }

    // A 2xx is no proof: without what the program needs it is a failure, never "nothing found".
    public HubSpotException Unusable(string detail) =>
        new($"HubSpot answered {status} while {step} without what the program needs ({detail}): " +
            "check that HUBSPOT_BASE_URL points at HubSpot's API. Running again is safe.");

    public string? Policy => Error?.PolicyName;

    public string? Category => Error?.Category;

    public string Reason => (Category ?? Policy) is { } named
        ? $"HubSpot answered {status} {Terminal.Quote(named, 60)}"
        : $"HubSpot answered {status}";

    public string Message
    {
        get
        {
            var message = Error?.Message;
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
            var id = Error?.CorrelationId;
            if (id is null && headers?.TryGetValues("X-HubSpot-Correlation-Id", out var values) == true)
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
            var asked = headers?.RetryAfter;
            if (asked?.Date is { } date)
            {
                return date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero;
            }

            return asked?.Delta;
        }
    }

    static HubSpotError? ReadLoosely(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, HubSpotJson.Default.HubSpotError);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

// HubSpot's answers as the program relies on them: a parameter without a default is required, and only a `?`
// type may be null (HubSpotJson's options). Other fields are ignored.
sealed record Created([property: JsonConverter(typeof(DecimalId))] string Id);

// Associations absent are none; present, they may not be null (their type says so).
sealed record Contact([property: JsonConverter(typeof(DecimalId))] string Id, ContactAssociations Associations = null!)
{
    // Each once: HubSpot lists a company per association label.
    public List<string> CompanyIds() => [.. (Associations?.Companies?.Results ?? []).Select(company => company.Id).Distinct()];
}

sealed record ContactAssociations(Linked Companies = null!);

sealed record Linked(List<Created> Results) : IJsonOnDeserialized
{
    public void OnDeserialized() => HubSpotJson.NoNulls(Results);
}

// A search's hits, or a batch read's records with the ids it could not read.
sealed record Companies(List<Company> Results, string? Status = null, List<ReadError>? Errors = null) : IJsonOnDeserialized
{
    public void OnDeserialized() => HubSpotJson.NoNulls(Results);

    // The oldest with exactly our domain (search matches words). A search (asked: null) names each hit's domain;
    // a batch read accounts for each id asked, read or gone (OBJECT_NOT_FOUND). Any other error, or an id left
    // out, leaves a company of ours unknown: creating one could make a second.
    public string? OldestOfOurs(Answer answer, List<string>? asked)
    {
        if (Status is not (null or "COMPLETE"))
        {
            throw answer.Unusable("a status other than COMPLETE");
        }

        var gone = (Errors ?? []).Where(e => e?.Category == "OBJECT_NOT_FOUND").SelectMany(e => e.Context?.Ids ?? []);
        var leftOut = asked?.Except(Results.Select(c => c.Id)).Except(gone).Any() == true;
        if (leftOut || Errors?.Any(e => e?.Category != "OBJECT_NOT_FOUND") == true)
        {
            throw answer.Unusable("a company it could not read");
        }

        if (asked is null && Results.Any(c => c.Properties.Domain is null))
        {
            throw answer.Unusable("a search hit without its domain");
        }

        var ours = Results.Where(c => string.Equals(c.Properties.Domain?.Trim(), OurCompany.Domain, StringComparison.OrdinalIgnoreCase));
        return ours.OrderBy(c => c.CreatedAt).FirstOrDefault()?.Id;
    }
}

sealed record Company([property: JsonConverter(typeof(DecimalId))] string Id, DateTimeOffset CreatedAt, CompanyProperties Properties);

sealed record CompanyProperties(string? Domain = null);

sealed record ReadError(string? Category = null, string? Message = null, ErrorContext? Context = null);

sealed record ErrorContext(List<string>? Ids = null);

sealed record Association(string Status, List<ReadError>? Errors = null);

// Every field optional: HubSpot's 429s lack a category, a proxy's page has none of them.
sealed record HubSpotError(string? Message = null, string? Category = null, string? CorrelationId = null, string? PolicyName = null);

// HubSpot's record ids are decimal digits: none can put "..", a slash or a line break into a path or a line.
sealed class DecimalId : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (string.IsNullOrEmpty(id) || id.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new JsonException("An id that is not decimal digits.");
        }

        return id;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(Created))]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(Companies))]
[JsonSerializable(typeof(Association))]
[JsonSerializable(typeof(HubSpotError))]
sealed partial class HubSpotJson : JsonSerializerContext
{
    // Nullable annotations do not reach a list's elements.
    public static void NoNulls<T>(List<T> list)
    {
        if (list.Contains(default!))
        {
            throw new JsonException("A null in a list.");
        }
    }
}

sealed record Settings(string Token, string FirstName, string LastName, string Email, Uri BaseUrl)
{
    // HUBSPOT_KEY's value in .env.example.
    public const string ExamplePlaceholder = "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx";

    // The email's fold, by hand: ICU's would cost the native build its start-up. Each line: what the letters after
    // it fold to, so that it can be checked by eye.
    const string Folds = """
        a àáâãäåāăąǎǟǡǻȁȃȧạảấầẩẫậắằẳẵặ
        ae æǣǽ
        b ḃḅḇ
        c çćĉċčḉ
        d ďđðḋḍḏḑḓ
        dz ǆǳ
        e èéêëēĕėęěȅȇȩẹẻẽếềểễệḕḗḙḛḝ
        f ḟ
        g ĝğġģǧǵḡ
        h ĥħḣḥḧḩḫ
        i ìíîïĩīĭįıǐȉȋḭḯỉịİ
        j ĵǰ
        k ķǩḱḳḵ
        l ĺļľŀłḷḹḻḽ
        lj ǉ
        m ḿṁṃ
        n ñńņňŉǹṅṇṉṋ
        nj ǌ
        o òóôõöøōŏőǒǫǭǿȍȏȫȭȯȱọỏốồổỗộớờởỡợṍṏṑṓ
        oe œ
        p ṕṗ
        r ŕŗřȑȓṙṛṝṟ
        s śŝşšșṡṣṥṧṩ
        ss ßẞ
        t ţťŧțṫṭṯṱẗ
        th þ
        u ùúûüũūŭůűųưǔǖǘǚǜȕȗụủứừửữựṳṵṷṹṻ
        v ṽṿ
        w ŵẁẃẅẇẉẘ
        x ẋẍ
        y ýÿŷȳẏỳỵỷỹẙ
        z źżžẑẓẕ
        """;

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

    // A fictional email, firstname.lastname@example.com: Latin letters folded to ASCII, the rest dropped.
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
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                folded.Append(c);
                continue;
            }

            // The line that lists c, if any: its first word is what c folds to.
            var at = Folds.IndexOf(c, StringComparison.Ordinal);
            if (at > 0 && c > '~')
            {
                var line = Folds.LastIndexOf('\n', at) + 1;
                folded.Append(Folds.AsSpan(line, Folds.IndexOf(' ', line) - line).Trim());
            }
        }

        return folded.ToString();
    }
}

// .env as python-dotenv reads it: the last of two equal names wins; '$' is literal but in ${NAME}.
sealed record DotEnvFile(string Path, bool Found, Dictionary<string, string> Values, List<string> Problems,
    Func<string, string?> Environment)
{
    const string None = "so none of its values were read";

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

    // From the current directory (python-dotenv looks upward). Read and parsed aside, so that Ctrl+C ends a wait
    // for a named pipe or a huge file.
    public static async Task<DotEnvFile> ReadAsync(string name, Func<string, string?> environment, CancellationToken ct)
    {
        var path = System.IO.Path.GetFullPath(name);
        var quoted = Terminal.Quote(path);
        string text;
        try
        {
            text = await Task.Run(() => File.ReadAllText(path), ct).WaitAsync(ct);
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

        // Bytes that are not UTF-8 (or UTF-16 after its mark) become U+FFFD: refused, not read into garbled names.
        if (text.Contains('\uFFFD', StringComparison.Ordinal))
        {
            var problem = $"{quoted} is not UTF-8 (older Windows editors save Windows-1252), {None}: save it as UTF-8.";
            return new(path, true, [], [problem], environment);
        }

        try
        {
            var values = await Task.Run(() => Parse(text), ct).WaitAsync(ct);
            return new(path, true, values, [], environment);
        }
        catch (Sprache.ParseException e)
        {
            return new(path, true, [], [$"{quoted} {ParseProblem(text, e)}"], environment);
        }
    }

    // What the parser reports, and two facts about the text it cannot see. Its message quotes the text (maybe the
    // token): only its position is used.
    static string ParseProblem(string text, Sprache.ParseException e)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return $"is UTF-16 without a byte order mark, {None}: save it as UTF-8.";
        }

        if (text.Contains('\r', StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal))
        {
            return $"has old Mac line endings (CR only), {None}: save it with LF line endings.";
        }

        if (e.Message.Contains("Unexpected end of input", StringComparison.Ordinal))
        {
            return $"opens a quote it never closes (the file ends inside it), {None}: close it, e.g. LASTNAME=\"O'Brien\".";
        }

        return $"could not be parsed at line {e.Position.Line}, {None}: close every quote, and put a value with an apostrophe in double quotes, e.g. LASTNAME=\"O'Brien\".";
    }

    // DotNetEnv would expand $NAME too: each dollar but those of ${NAME} stands aside as U+FDD0 while it parses.
    public static Dictionary<string, string> Parse(string text)
    {
        var guarded = text.Replace('$', '\uFDD0').Replace("\uFDD0{", "${", StringComparison.Ordinal);
        var pairs = Env.LoadContents(guarded, Env.NoEnvVars()).ToDotEnvDictionary(CreateDictionaryOption.TakeLast);
        return pairs.ToDictionary(pair => pair.Key, pair => pair.Value.Replace('\uFDD0', '$'));
    }
}

static class Terminal
{
    static string? _token;

    // A Windows console gets UTF-16 (WriteConsoleW), whatever its code page, which stays as it was for the shell
    // after us; a file or a pipe gets UTF-8.
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

    // Set once, by the story, before anything is printed. A shorter "token" would hide ordinary words.
    public static void HideEverywhere(string token) => _token = token.Length >= 8 ? token : null;

    // Text from outside enters a message only here: the token hidden first, invisibles escaped, then shortened.
    public static string Quote(string text, int longest = 300) => Quote(text, longest, _token);

    public static string Quote(string text, int longest, string? token)
    {
        var printable = Escape(Hide(text, token));
        if (printable.Length <= longest)
        {
            return printable;
        }

        var cut = char.IsHighSurrogate(printable[longest - 4]) ? longest - 4 : longest - 3;
        return $"{printable[..cut]}...";
    }

    public static void Out(params IEnumerable<string> lines) => Write(Console.Out, lines);

    // A stderr that cannot be written loses the lines, not the exit code.
    public static void Error(params IEnumerable<string> lines)
    {
        try
        {
            Write(Console.Error, lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    // Each whole line hidden and escaped once more: some were built before the token was known (.env's problems),
    // and none can show the token or break in two.
    static void Write(TextWriter writer, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            writer.WriteLine(Escape(Hide(line, _token)));
        }
    }

    public static string Clause(string text) => text.Trim().TrimEnd('.');

    // The token, and any 12 characters of it in any case: an echo may cut it or change it.
    public static string Hide(string text, string? token)
    {
        if (token is null)
        {
            return text;
        }

        var hidden = text.Replace(token, "(hidden)", StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i + 12 <= token.Length; i++)
        {
            hidden = hidden.Replace(token.Substring(i, 12), "(hidden)", StringComparison.OrdinalIgnoreCase);
        }

        return hidden;
    }

    // The first invisible character's code point, or -1.
    public static int FirstInvisible(string text)
    {
        foreach (var (code, _, invisible) in Characters(text))
        {
            if (invisible)
            {
                return code;
            }
        }

        return -1;
    }

    static string Escape(string text)
    {
        var shown = new StringBuilder();
        foreach (var (code, character, invisible) in Characters(text))
        {
            var escaped = code <= 0xFFFF ? $"\\u{code:X4}" : $"\\U{code:X8}";
            shown.Append(invisible ? escaped : character);
        }

        return shown.ToString();
    }

    // Each character with its code point, and whether it is invisible, by category: controls, line and paragraph
    // separators, format characters (but the joiners emoji use), private use, unassigned, and a lone surrogate.
    static IEnumerable<(int Code, string Character, bool Invisible)> Characters(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                yield return (text[i], text[i..(i + 1)], true);
                i++;
                continue;
            }

            var invisible = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => true,
                UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
                _ => false,
            };
            yield return (rune.Value, rune.ToString(), invisible);
            i += rune.Utf16SequenceLength;
        }
    }
}
