using System.Globalization;
using System.Text.RegularExpressions;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>No connection at all: four attempts, about 1, 2 and 4 s apart, then one line.</summary>
public sealed class RefusedConnectionTests
{
    [Fact]
    public async Task ARefusedConnectionIsTriedFourTimesAndNamesTheConnection()
    {
        await using var world = await World.StartAsync();
        world.Environment["HUBSPOT_BASE_URL"] = "http://127.0.0.1:1";

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot did not answer while creating the contact:", "Check your connection and " +
            "HUBSPOT_BASE_URL. Gave up after 4 attempts.");
        Assert.Contains("So far: no contact yet, no company yet.", run.Stderr, StringComparison.Ordinal);
        var waits = Regex.Matches(run.Stdout, @"trying again in (\d+\.\d) s").Select(m => double.Parse(m.Groups[1].Value,
            CultureInfo.InvariantCulture)).ToList();
        Assert.Collection(waits, w => Assert.InRange(w, 0.8, 1.2), w => Assert.InRange(w, 1.6, 2.4),
            w => Assert.InRange(w, 3.2, 4.8));
    }
}
