using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Quotas;

public sealed class QuotaAdaptationPlanTests
{
    [Fact]
    public void Clear_EverythingSet_LeavesAnEmptyPlan()
    {
        // A quota fills one plan per thread again for each response: nothing of the last response may carry over.
        var plan = new QuotaAdaptationPlan
        {
            Limits = new QuotaLimits { RequestsPerMinute = 1 },
            Reported = new QuotaLimits { TokensPerMinute = 2 },
            Epoch = 3,
            Hold = TimeSpan.FromSeconds(1),
            Exhaustion = new QuotaExhaustion("x", null),
            ExhaustDays = true,
            ShrinkBurstSentAt = 4,
            RateLimitedSentAt = 5,
            SucceededSentAt = 6,
            Refill = new FastBucket.Quotas.Windows.RefillEvidence(true, QuotaDimension.TokensPerMinute, TimeSpan.FromSeconds(1)),
        };
        foreach (var row in QuotaDimensions.RateRows)
        {
            plan.SetEvidence(row.Dimension, 7);
            plan.LowerToAtMost(row.Dimension, 8);
            plan.SetFreesAfter(row.Dimension, TimeSpan.FromSeconds(9));
            plan.SetRemainingAtAdmission(row.Dimension, 10, 11);
        }

        plan.Clear();

        Assert.True(plan.IsEmpty);
        Assert.False(plan.MovesLocalState);
        Assert.Equal(0, plan.Epoch);
        foreach (var property in typeof(QuotaAdaptationPlan).GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length == 0 && property.PropertyType != typeof(bool))
            {
                object? value = property.GetValue(plan);
                Assert.True(value is null || value.Equals(Activator.CreateInstance(property.PropertyType)), $"{property.Name} kept {value}");
            }
        }

        foreach (var row in QuotaDimensions.RateRows)
        {
            Assert.Null(plan.Evidence(row.Dimension));
            Assert.Null(plan.LowerTo(row.Dimension));
            Assert.Null(plan.FreesAfter(row.Dimension));
            Assert.Null(plan.RemainingAtAdmission(row.Dimension));
        }
    }
}
