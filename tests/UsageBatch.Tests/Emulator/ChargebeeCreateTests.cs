using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class ChargebeeCreateTests
{
    [Fact]
    public async Task Create_ValidForm_Returns200WithDocumentedShape()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var form = EmulatorHarness.UsageForm(id: "ub-1-42", quantity: "10.50");
        form["note"] = "run 1";

        using var response = await emu.ChargebeeCreateAsync("sub_Acme", form);

        Assert.Equal(200, (int)response.StatusCode);
        var usage = (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage");
        var now = emu.Time.GetUtcNow();
        Assert.Equal("ub-1-42", usage.GetProperty("id").GetString());
        Assert.Equal(1_768_435_200, usage.GetProperty("usage_date").GetInt64());
        Assert.Equal("sub_Acme", usage.GetProperty("subscription_id").GetString());
        Assert.Equal("api-calls-USD-monthly", usage.GetProperty("item_price_id").GetString());
        Assert.Equal("10.50", usage.GetProperty("quantity").GetString());
        Assert.Equal("api", usage.GetProperty("source").GetString());
        Assert.Equal("run 1", usage.GetProperty("note").GetString());
        Assert.Equal(now.ToUnixTimeMilliseconds(), usage.GetProperty("resource_version").GetInt64());
        Assert.Equal(now.ToUnixTimeSeconds(), usage.GetProperty("created_at").GetInt64());
        Assert.Equal(now.ToUnixTimeSeconds(), usage.GetProperty("updated_at").GetInt64());
        Assert.Equal("usage", usage.GetProperty("object").GetString());
        Assert.False(usage.TryGetProperty("invoice_id", out _));
    }

    [Fact]
    public async Task Create_WithoutId_GeneratesOne()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm());

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Matches("^usage_[A-Za-z0-9]{14}$", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("cb_wrong")]
    public async Task Create_MissingOrWrongKey_Returns401Envelope(string? key)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(), key);

        var body = await ChargebeeAssert.ErrorAsync(response, 401, "api_authentication_failed", null);
        Assert.Equal("api_authentication_invalid_key", body.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Create_UnknownSubscription_Returns404()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeCreateAsync("sub_Nope", EmulatorHarness.UsageForm());
        await ChargebeeAssert.ErrorAsync(response, 404, "resource_not_found", null);
    }

    public static TheoryData<string, string?, string> InvalidFields => new()
    {
        { "id", new string('x', 101), "id" },
        { "id", "", "id" },
        { "item_price_id", null, "item_price_id" },
        { "item_price_id", new string('x', 101), "item_price_id" },
        { "quantity", null, "quantity" },
        { "quantity", "1.234", "quantity" },
        { "quantity", "0", "quantity" },
        { "quantity", "0.00", "quantity" },
        { "quantity", "-1", "quantity" },
        { "quantity", "1e3", "quantity" },
        { "quantity", "1,5", "quantity" },
        { "quantity", " 1", "quantity" },
        { "quantity", "1.", "quantity" },
        { "quantity", new string('1', 41), "quantity" },
        { "usage_date", null, "usage_date" },
        { "usage_date", "2026-01-15", "usage_date" },
        { "usage_date", "1.5", "usage_date" },
        { "note", new string('n', 501), "note" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Create_InvalidField_Returns400ParamWrongValue(string field, string? value, string param)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var form = EmulatorHarness.UsageForm();
        if (value is null)
        {
            form.Remove(field);
        }
        else
        {
            form[field] = value;
        }

        using var response = await emu.ChargebeeCreateAsync("sub_Acme", form);

        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", param);
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Theory]
    [InlineData("1.23", 2)]
    [InlineData("40", 0)]
    [InlineData("0.0001", 4)]
    public async Task Create_QuantityWithinConfiguredDecimals_IsKeptAsSent(string quantity, int decimals)
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Chargebee.QuantityDecimals = decimals);
        using var response = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(quantity: quantity));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(quantity, (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage").GetProperty("quantity").GetString());
    }

    [Fact]
    public async Task Create_ItemPriceNotOnSubscription_Returns400InvalidRequest()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeCreateAsync("sub_Initech", EmulatorHarness.UsageForm(itemPrice: "storage-USD-monthly"));
        await ChargebeeAssert.ErrorAsync(response, 400, "invalid_request", "item_price_id");
    }

    [Fact]
    public async Task Create_DuplicateIdOnAnySubscription_Returns400DuplicateEntry()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "dup-1"));
        Assert.Equal(200, (int)first.StatusCode);

        using var again = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(id: "dup-1", usageDate: 1_768_435_201));

        await ChargebeeAssert.ErrorAsync(again, 400, "duplicate_entry", "id");
        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Create_SameSubscriptionItemPriceAndDate_Returns400UsageDate()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "a"));
        using var clash = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "b"));
        using var otherItem = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "c", itemPrice: "storage-USD-monthly"));
        using var otherSub = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(id: "d"));
        using var otherSecond = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "e", usageDate: 1_768_435_199));

        Assert.Equal(200, (int)first.StatusCode);
        await ChargebeeAssert.ErrorAsync(clash, 400, "invalid_request", "usage_date");
        Assert.Equal(200, (int)otherItem.StatusCode);
        Assert.Equal(200, (int)otherSub.StatusCode);
        Assert.Equal(200, (int)otherSecond.StatusCode);
    }

    [Fact]
    public async Task Create_AtCap_Returns400ResourceLimitExceeded()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Chargebee.MaxUsagesPerSubscription = 5;
            f.Chargebee.Subscriptions.Single(s => s.Id == "sub_Globex").ExistingUsages = 3;
        });

        for (var i = 0; i < 5; i++)
        {
            using var ok = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(usageDate: 1_768_435_200 + i));
            Assert.Equal(200, (int)ok.StatusCode);
        }

        using var over = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(usageDate: 1_768_435_300));
        await ChargebeeAssert.ErrorAsync(over, 400, "resource_limit_exceeded", null);

        // existingUsages count towards the cap: 3 + 2 = 5.
        for (var i = 0; i < 2; i++)
        {
            using var ok = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(usageDate: 1_768_435_200 + i));
            Assert.Equal(200, (int)ok.StatusCode);
        }

        using var globexOver = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(usageDate: 1_768_435_300));
        await ChargebeeAssert.ErrorAsync(globexOver, 400, "resource_limit_exceeded", null);
    }

    [Fact]
    public async Task Create_OptionalHeaders_AreAcceptedAndRecordedInLedger()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var request = emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/usages", EmulatorHarness.UsageForm());
        request.Headers.Add("chargebee-business-entity-id", "be_1");
        request.Headers.Add("chargebee-event-webhook", "all-disabled");
        request.Headers.Add("chargebee-event-email", "all-disabled");
        request.Headers.Add("chargebee-event-actions", "all-disabled");
        request.Headers.Add("chargebee-request-origin-user", "usagebatch");

        using var response = await emu.Http.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        var headers = (await emu.LedgerAsync()).GetProperty("chargebee")[0].GetProperty("emulator_request_headers");
        Assert.Equal("be_1", headers.GetProperty("chargebee-business-entity-id").GetString());
        Assert.Equal("all-disabled", headers.GetProperty("chargebee-event-webhook").GetString());
        Assert.Equal("all-disabled", headers.GetProperty("chargebee-event-email").GetString());
        Assert.Equal("all-disabled", headers.GetProperty("chargebee-event-actions").GetString());
        Assert.Equal("usagebatch", headers.GetProperty("chargebee-request-origin-user").GetString());
        Assert.Equal(JsonValueKind.Object, headers.ValueKind);
    }
}
