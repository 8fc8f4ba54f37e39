Feature: Refilling my gas
  As a verified customer, I order gas for a cylinder, and when I have ordered before, I
  repeat my last order in one step.

  Background:
    Given I am a verified customer "Ama Mensah"

  Scenario: My first refill offers every size with its gas price
    When I dial the service
    And I choose "Refill gas"
    Then I see "Refill gas:"
    And I do not see "Repeat"
    And I see these options in order:
      | 1. 3kg steel GHS 42.00     |
      | 2. 6kg steel GHS 84.00     |
      | 3. 6kg composite GHS 84.00 |
      | 4. 12kg steel GHS 168.00   |

  Scenario: The cylinder I hold comes first after the repeat
    Given I hold a "12kg composite" cylinder
    When I dial the service
    And I choose "Refill gas"
    Then I see these options in order:
      | 1. Repeat: 12kg composite GHS 168.00 |
      | 2. 12kg composite GHS 168.00         |
      | 3. 3kg steel GHS 42.00               |

  Scenario: I refill a size and pay by mobile money
    When I dial the service
    And I choose "Refill gas"
    And I choose "6kg steel"
    Then I see "Refill 6kg steel"
    And I see "Gas GHS 84.00"
    And I see "1. Confirm"
    When I choose "Confirm"
    Then I see "Pay GHS 84.00 with:"
    And I see these options in order:
      | 1. MTN MoMo (yours) |
      | 2. Telecel Cash     |
      | 3. AirtelTigo Money |
      | 4. Wallet           |
      | 5. Pay on delivery  |
    When I choose "MTN MoMo"
    Then the session ends with "Approve the GHS 84.00 prompt from Demo Gas"
    And I see my order reference
    When the mobile money provider confirms the payment
    Then I receive an SMS containing "payment of GHS 84.00 received"
    When I open my latest order
    Then I see "6kg steel"
    And I see "Paid GHS 84.00"

  Scenario: I repeat my last order in one step
    Given I have ordered a "6kg steel" cylinder paid on delivery
    When I dial the service
    And I choose "Refill gas"
    Then I see "1. Repeat: 6kg steel GHS 84.00"
    When I choose "Repeat"
    Then I see "Refill 6kg steel"
    And I see "Pay on delivery"
    When I choose "Confirm"
    Then the session ends with "Pay GHS 84.00 when it is delivered"
    And I see my order reference

  Scenario: I repeat a wallet order with my PIN
    Given my wallet holds GHS 400
    And I have ordered a "3kg steel" cylinder paid by "Wallet"
    When I dial the service
    And I choose "Refill gas"
    And I choose "Repeat"
    And I choose "Confirm"
    Then I see "Enter your PIN to pay GHS 42.00"
    When I enter "4826"
    Then the session ends with "Paid GHS 42.00 from your wallet"
    And I see "Wallet now GHS 216.00"

  Scenario: I refill from my wallet and it is short
    Given my wallet holds GHS 20
    When I dial the service
    And I choose "Refill gas"
    And I choose "3kg steel"
    And I choose "Confirm"
    And I choose "Wallet"
    Then I see "Your wallet is short by GHS 22.00."
